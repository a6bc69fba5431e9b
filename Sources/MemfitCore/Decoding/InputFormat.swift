/// How an input is decoded into records. Detected from the first bytes and lines; `--input-format` forces one.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Lines; the cleaner strips timestamps and platform prefixes (compose, kubectl, cf, Heroku…).
    case plain
    /// JSON documents, one or many: CloudWatch `get-log-events`/`filter-log-events`, Logs Insights JSON and
    /// `get-query-results`, subscription payloads, Firehose objects, ECS `describe-tasks`/`describe-services`,
    /// Docker `json-file` lines, `docker inspect`.
    case json
    /// One JSON value per line (Docker json-file, pino/zap/bunyan, `az containerapp logs`); a line that is not JSON
    /// (the JVM's own plain OOM line among structured logs) is read as plain text.
    case jsonLines = "json-lines"
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
        if bytes[first] == UInt8(ascii: "{") || bytes[first] == UInt8(ascii: "[") {
            // The first line decides: a whole value on it means JSON lines, the start of one a (pretty) document,
            // and anything else ("[INFO] …", "{ not json") plain text.
            let firstLines = bytes[first...].split(separator: 0x0A, maxSplits: 3, omittingEmptySubsequences: true).prefix(3)
            switch JSONProbe.classify(Array(firstLines.first ?? [])) {
            case .complete:
                // JSON lines only if the next lines are whole values too (or plain text); a pretty document
                // after a one-line one (appended pages, subscription files) makes it a stream of documents.
                let rest = firstLines.dropFirst().map { JSONProbe.classify(Array($0)) }
                return rest.contains(.incomplete) ? .json : .jsonLines
            case .incomplete: return .json
            case .invalid: break
            }
        }
        // `aws logs tail --color on` (log-formats.md §3 "Colour") wraps the timestamp and stream in colour codes.
        let firstLineText = String(decoding: ANSI.strippingCSI(Array(firstLine.utf8)).bytes, as: UTF8.self)
        for (format, pattern) in patterns.lineFormats where matcher.matches(pattern, firstLineText) != nil {
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

/// Whether a line is a whole JSON value, the start of one, or not JSON.
enum JSONProbe {
    enum Verdict { case complete, incomplete, invalid }

    static func classify(_ line: [UInt8]) -> Verdict {
        var tokenizer = JSONTokenizer(source: BytesSource(line), bufferBytes: max(16, line.count))
        defer { tokenizer.release() }
        do {
            guard try tokenizer.next() != nil else { return .invalid }
            while tokenizer.depth > 0 {
                guard try tokenizer.next() != nil else { return .incomplete }
            }
            // The rest of the line must be JSON too (`}{` joins) or blank: `["main"] starting` is a plain line.
            while let _ = try tokenizer.next() {}
            return .complete
        } catch .syntax(let e) where e.message.hasPrefix("unexpected end of input") || e.message.hasPrefix("unterminated")
            || e.message.hasPrefix("nested deeper") {
            return .incomplete  // a document that goes on (or one the JSON decoder will refuse with a clear error)
        } catch {
            return .invalid
        }
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
            // A real Insights header names at least one of its own fields as a whole column (a paste that starts
            // "@oncall" is not CSV).
            (.insightsCSV, try PCRE2Pattern(
                #"^(?=(?:.*,)?"?@(?:timestamp|message|logStream|log|ingestionTime|ptr)"?\s*(?:,|$))"?@[\w.]+"?(?:,"?@?[\w.]+"?)*\s*$"#)),
            (.cloudwatchText, try PCRE2Pattern(#"^(?:[bf]/\d{56}\t|EVENTS\t)"#)),
            // detailed: microseconds (dropped when 0 in the json form) and +00:00, then the stream (never holding ':' or
            // '*', unlike Heroku's "app[web.1]:"); short: no zone at all
            (.awsLogsTail, try PCRE2Pattern(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:(?:\.\d{6})?\+00:00 [^\s:*]+(?: |$)| )"#)),
            (.s3Export, try PCRE2Pattern(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#)),
            (.cri, try PCRE2Pattern(#"^\S+ (?:stdout|stderr) [PF](?::\S*)? "#)),
        ]
    }
}

/// CSI escape sequences (`ESC [ params intermediates final`, colours and erases), as found around `aws logs tail
/// --color on` timestamps and stream names.
enum ANSI {
    /// The bytes without CSI sequences, and for each kept byte its index in `bytes` (plus, last, where the scan
    /// stopped), so a match in the stripped text can be mapped back.
    static func strippingCSI<C: Collection>(_ bytes: C, limit: Int = .max) -> (bytes: [UInt8], origin: [Int])
    where C.Element == UInt8, C.Index == Int {
        var out: [UInt8] = []
        var origin: [Int] = []
        var i = bytes.startIndex
        while i < bytes.endIndex && out.count < limit {
            if bytes[i] == 0x1B, i + 1 < bytes.endIndex, bytes[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < bytes.endIndex, (0x30...0x3F).contains(bytes[j]) { j += 1 }
                while j < bytes.endIndex, (0x20...0x2F).contains(bytes[j]) { j += 1 }
                if j < bytes.endIndex, (0x40...0x7E).contains(bytes[j]) {
                    i = j + 1
                    continue
                }
            }
            out.append(bytes[i])
            origin.append(i)
            i += 1
        }
        origin.append(i)
        return (out, origin)
    }
}
