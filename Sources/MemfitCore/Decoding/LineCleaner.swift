/// Stage 2, decode records: turns a physical line into a `LogRecord` whose message the catalogue can match.
/// It removes escape sequences (and their remnants when a copy and paste lost the ESC byte), control characters,
/// and the timestamps and prefixes that consoles and platforms put in front of each line, remembering what they said.
public struct LineCleaner: Sendable {
    /// A line prefix a platform adds, as data: what it looks like and what it tells.
    struct PrefixRule: Sendable {
        let id: String
        let pattern: PCRE2Pattern
        let platform: Platform?
    }

    static let prefixRuleSources: [(id: String, pattern: String, platform: Platform?)] = [
        // CloudWatch console copy: "6/13/2023, 4:51:44 PM GMT+1", maybe with U+202F before PM (\h covers it).
        ("console-timestamp",
         #"^(?<ts>\d{1,2}/\d{1,2}/\d{4},\h+\d{1,2}:\d\d:\d\d(?:\.\d{1,3})?\h*[AP]M(?:\h+(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d\d)?)?)?)(?:\t|\h+|$)"#,
         .ecsFargate),
        // The CloudWatch console's table copied as text: an ISO timestamp (UTC or local), then a TAB.
        ("console-iso-timestamp-tab",
         #"^(?<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)\t"#, .ecsFargate),
        ("iso-timestamp",
         #"^(?<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)(?:\t|\h+|$)"#, nil),
        ("kubectl-prefix", #"^\[pod/(?<source>[^\]/\s]+/[^\]\s]+)\]\h?"#, .kubernetes),
        ("cri-stream", #"^(?:stdout|stderr) [PF](?::\S+)? "#, .kubernetes),
        ("heroku-prefix", #"^(?:app|heroku)\[(?<source>[\w.-]+)\]:\h?"#, .heroku),
        ("cf-prefix",
         #"^\[(?<source>(?:APP|CELL|API|STG|RTR|SSH|LGR|HEALTH|PROXY|App|DEA)(?:/[\w.-]+)*)\]\h+(?:OUT|ERR)(?:\h|$)"#,
         .cloudFoundry),
        // docker compose: "<service>-<replica>" (v2) or "<project>_<service>_<replica>" (v1), padded, then "| ".
        ("compose-prefix", #"^(?<source>[A-Za-z0-9][\w.-]*[-_]\d+)\h+\|(?:\h|$)"#, .docker),
        // fly.io: "app[4d89e2b1] ams [info]"
        ("flyio-prefix", #"^app\[(?<source>[0-9a-f]+)\] [a-z]{3} \[(?:info|debug|warn|error)\]\h?"#, nil),
        ("fly-level", #"^\[(?:info|debug|warn|error)\]\h?"#, nil),
    ]

    let rules: [PrefixRule]

    public init() throws(PCRE2Pattern.CompileError) {
        var rules: [PrefixRule] = []
        for source in LineCleaner.prefixRuleSources {
            rules.append(PrefixRule(id: source.id, pattern: try PCRE2Pattern(source.pattern), platform: source.platform))
        }
        self.rules = rules
    }

    /// `context` is what the decoder already knows; it wins over what the line's prefixes say.
    public func clean(
        _ raw: UnsafeBufferPointer<UInt8>, input: String, line: Int, capped: Bool, matcher: PCRE2Matcher,
        context: RecordContext? = nil
    ) -> LogRecord {
        var text = LineCleaner.removeControls(String(decoding: LineCleaner.stripEscapeSequences(raw), as: UTF8.self))
        var timestamp: String?
        var source: String?
        var hint: Platform?
        // Prefixes nest (compose around an ISO timestamp, kubectl around a CRI stream), so peel until none is left.
        var peeled = 0
        peeling: while peeled < 8 {
            text = LineCleaner.trimmingLeadingBlanks(text)
            for rule in rules {
                guard let m = matcher.matches(rule.pattern, text), !m.whole.isEmpty else { continue }
                if timestamp == nil, let ts = m["ts"] { timestamp = ts }
                if source == nil, let src = m["source"] { source = src }
                if hint == nil { hint = rule.platform }
                text = String(decoding: Array(text.utf8)[m.whole.upperBound...], as: UTF8.self)
                peeled += 1
                continue peeling
            }
            break
        }
        let message = LineCleaner.trimmingTrailingBlanks(text.replacingTabs())
        return LogRecord(
            input: input, line: line, timestamp: context?.timestamp ?? timestamp, source: context?.source ?? source,
            platformHint: context?.platform ?? hint,
            platformReason: context?.platformReason ?? hint.map { _ in "from the shape of the log lines" },
            attributes: context?.attributes, message: message, capped: capped)
    }

    /// Removes ANSI escape sequences (CSI, the OSC, DCS, SOS, PM and APC strings, two-byte escapes) and the
    /// `[31;1m`, `^[[0m`, `#033[0m` remnants that a copy and paste leaves when the ESC byte is lost. Only remnants
    /// that end in `m` go. A cursor move right (`ESC[nC`) stood for blank space on the screen, so it becomes one space.
    public static func stripEscapeSequences(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x1B {
                i += 1
                guard i < n else { break }
                let kind = bytes[i]
                if kind == UInt8(ascii: "[") {
                    i += 1
                    while i < n && (0x20...0x3F).contains(bytes[i]) { i += 1 }
                    if i < n && (0x40...0x7E).contains(bytes[i]) {
                        if bytes[i] == UInt8(ascii: "C") { out.append(0x20) }
                        i += 1
                    }
                } else if kind == UInt8(ascii: "]") || kind == UInt8(ascii: "P") || kind == UInt8(ascii: "X")
                    || kind == UInt8(ascii: "^") || kind == UInt8(ascii: "_") {
                    // A string up to BEL or ST (ESC \): OSC (titles, links), DCS, SOS, PM, APC. One that is never
                    // ended on the line loses only its introducer, so it cannot hide the launch line after it.
                    var end = i + 1
                    while end < n && bytes[end] != 0x07 && !(bytes[end] == 0x1B && end + 1 < n && bytes[end + 1] == UInt8(ascii: "\\")) {
                        end += 1
                    }
                    i = end < n ? end + (bytes[end] == 0x07 ? 1 : 2) : i + 1
                } else if kind == UInt8(ascii: "(") || kind == UInt8(ascii: ")") {
                    i = min(n, i + 2)
                } else {
                    i += 1
                }
                continue
            }
            if b == UInt8(ascii: "[") || b == UInt8(ascii: "^") || b == UInt8(ascii: "#"),
               let end = remnantEnd(bytes, at: i) {
                i = end
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    /// The end of a lost-ESC colour remnant starting at `start`: `[31;1m`, `^[[0m` or `#033[0m`.
    private static func remnantEnd(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        var i = start
        let n = bytes.count
        if bytes[i] == UInt8(ascii: "^") {
            // "^[" is how a terminal shows ESC, so "^[[0m" is one escape sequence.
            guard i + 1 < n, bytes[i + 1] == UInt8(ascii: "[") else { return nil }
            i += 2
        } else if bytes[i] == UInt8(ascii: "#") {
            guard i + 4 < n, bytes[i + 1] == UInt8(ascii: "0"), bytes[i + 2] == UInt8(ascii: "3"),
                  bytes[i + 3] == UInt8(ascii: "3") else { return nil }
            i += 4
        }
        guard i < n, bytes[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var length = 0
        var sawDigit = false
        while i < n && (isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ";")) && length < 16 {
            sawDigit = sawDigit || isDigit(bytes[i])
            length += 1
            i += 1
        }
        guard sawDigit, i < n, bytes[i] == UInt8(ascii: "m") else { return nil }
        return i + 1
    }

    /// Drops control characters (see `isUnwantedControl`) and makes no-break spaces plain ones:
    /// log text must never drive a terminal, and a pasted NBSP must not hide a message.
    public static func removeControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isUnwantedControl($0) || isOddSpace($0) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isUnwantedControl(scalar) {
            scalars.append(isOddSpace(scalar) ? " " : scalar)
        }
        return String(scalars)
    }

    static func isOddSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.value == 0xA0 || scalar.value == 0x202F }

    /// C0 (but TAB), DEL, C1, BOM, line/paragraph separators and bidi controls (which can make quoted log text
    /// read differently from what it is).
    static func isUnwantedControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x09) || (0x7F...0x9F).contains(v) || v == 0xFEFF || (0x2028...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }

    static func trimmingLeadingBlanks(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, first == " " || first == "\t" else { return text }
        return String(text.unicodeScalars.drop(while: { $0 == " " || $0 == "\t" }))
    }

    static func trimmingTrailingBlanks(_ text: String) -> String {
        guard let last = text.unicodeScalars.last, last == " " || last == "\t" else { return text }
        var scalars = text.unicodeScalars
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

extension String {
    func replacingTabs() -> String {
        guard contains("\t") else { return self }
        return String(unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
    }
}
