/// How an input is decoded into records. Detected from the first bytes and lines; `--input-format` forces one.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Lines; the cleaner strips timestamps and platform prefixes (compose, kubectl, cf, Heroku…).
    case plain
    /// JSON documents, one or many: CloudWatch `get-log-events`/`filter-log-events`, Logs Insights JSON and
    /// `get-query-results`, subscription payloads, Firehose objects, ECS `describe-tasks`/`describe-services`,
    /// Docker `json-file` lines, `docker inspect`.
    case json
    /// Logs Insights console CSV (RFC 4180).
    case insightsCSV = "insights-csv"
    /// `aws logs get-log-events`/`filter-log-events --output text`: `EVENTS⇥…` lines.
    case cloudwatchText = "cloudwatch-text"
    /// `aws logs tail` (detailed or short): a timestamped first line per event, raw continuation lines.
    case awsLogsTail = "aws-logs-tail"
    /// CloudWatch export to S3: `2023-06-13T15:51:44.123Z message` lines, raw continuation lines.
    case s3Export = "s3-export"
    /// Kubernetes CRI node files: `timestamp stream P|F message`; `P` partials are joined.
    case cri
    /// `kubectl describe pod` text.
    case kubectlDescribe = "kubectl-describe"

    /// Guesses the format from the first bytes of the (decompressed, UTF-8) input.
    public static func sniff(
        _ prefix: [UInt8], compressed: Bool = false, matcher: PCRE2Matcher, patterns: SniffPatterns
    ) -> InputFormat {
        var bytes = prefix[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return .plain }
        // Split on LF bytes (a Swift Character would keep CRLF together) and drop the CRs.
        let lines = bytes[first...].prefix(16 * 1024).split(separator: 0x0A, omittingEmptySubsequences: true)
            .map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self) }
        guard let firstLine = lines.first else { return .plain }
        if bytes[first] == UInt8(ascii: "{") { return .json }
        if bytes[first] == UInt8(ascii: "["), let next = bytes[(first + 1)...].first(where: { !isSpace($0) }),
           [UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "]")].contains(next) {
            return .json
        }
        for (format, pattern) in patterns.lineFormats where matcher.matches(pattern, firstLine) != nil {
            // S3 export objects are always gzip; the same line shape in a plain file is just an app's log.
            if format == .s3Export && !compressed { continue }
            return format
        }
        if firstLine.hasPrefix("Name:") && lines.contains(where: { $0.hasPrefix("Namespace:") || $0.hasPrefix("Containers:") }) {
            return .kubectlDescribe
        }
        return .plain
    }
}

/// The compiled first-line signatures (log-formats.md §0) and the event prefix of timestamped formats,
/// compiled once per analyser.
public struct SniffPatterns: Sendable {
    let lineFormats: [(InputFormat, PCRE2Pattern)]
    /// `aws logs tail` and S3 export event lines: the timestamp, and for tail's detailed form the stream.
    let timestampedEvent: PCRE2Pattern

    public init() throws(PCRE2Pattern.CompileError) {
        timestampedEvent = try PCRE2Pattern(
            #"^(?<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3}Z|(?:\.\d{6})?\+00:00)?) (?:(?<source>[^ :*]+) )?"#)
        lineFormats = [
            (.insightsCSV, try PCRE2Pattern(#"^"?@[\w.]+"?(?:,"?@?[\w.]+"?)*\s*$"#)),
            (.cloudwatchText, try PCRE2Pattern(#"^(?:[bf]/\d{56}\t|EVENTS\t)"#)),
            // detailed: microseconds (dropped when 0 in the json form) and +00:00, then the stream (never holding ':' or
            // '*', unlike Heroku's "app[web.1]:"); short: no zone at all
            (.awsLogsTail, try PCRE2Pattern(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:(?:\.\d{6})?\+00:00 [^\s:*]+(?: |$)| )"#)),
            (.s3Export, try PCRE2Pattern(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#)),
            (.cri, try PCRE2Pattern(#"^\S+ (?:stdout|stderr) [PF](?::\S*)? "#)),
        ]
    }
}
