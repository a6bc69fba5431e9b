/// Concise terminal output, at most 100 columns, colour only when asked for.
public struct TextReporter: Reporter {
    public static let width = 100
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public func render(_ report: AnalysisReport) -> String {
        var out: [String] = []
        out.append(contentsOf: wrap(summaryLine(report), indent: ""))
        for f in report.findings {
            out.append("")
            out.append(contentsOf: render(f))
        }
        for input in report.inputs {
            if input.cappedLines > 0 {
                out.append(contentsOf: wrap("note: \(input.path): \(input.cappedLines) line(s) longer than 1 MiB were capped: only their first and last 512 KiB were searched.", indent: ""))
            }
            for hit in input.matchLimitHits {
                out.append(contentsOf: wrap("note: \(input.path): pattern \(hit) hit the match limit and was skipped.", indent: ""))
            }
        }
        if report.droppedFacts > 0 {
            out.append(contentsOf: wrap(
                "note: \(report.droppedFacts) launch lines were counted but not kept: a source had more than "
                    + "\(FactLedger.maxDistinctPerSource) distinct messages of one kind.", indent: ""))
        }
        return out.joined(separator: "\n") + "\n"
    }

    func summaryLine(_ report: AnalysisReport) -> String {
        let read = report.inputs.filter { $0.format != "unreadable" }
        let lines = read.reduce(0) { $0 + $1.records }
        let unreadable = report.inputs.count - read.count
        let cut = read.filter(\.partial).count
        let inputs = read.count == 1 ? read[0].path : plural(read.count, "input")
        var text: String
        if report.findings.isEmpty {
            text = read.isEmpty
                ? "memfit: nothing was read."
                : "memfit: no launch-memory failures or warnings in \(inputs) (\(plural(lines, "record")) read)."
            if unreadable == 0 && cut == 0 { text += " Nothing to report." }
        } else {
            let failures = report.findings.filter { $0.severity == .failure }.count
            let warnings = report.findings.filter { $0.severity == .warning }.count
            text = "memfit: \(plural(failures, "failure")), \(plural(warnings, "warning")) in \(inputs) (\(plural(lines, "record")) read)."
        }
        if unreadable > 0 { text += " \(plural(unreadable, "input")) could not be read (see the errors above)." }
        if cut > 0 { text += " \(plural(cut, "input")) could only be read in part (see the errors above)." }
        return text
    }

    func render(_ f: Finding) -> [String] {
        var out: [String] = []
        let label = f.severity == .failure ? paint("FAILURE", "1;31") : f.severity == .warning ? paint("WARNING", "1;33") : "INFO"
        var title = "\(label)  \(f.kind.rawValue)"
        if let source = f.source { title += "  source \(Sanitizer.forTerminal(source))" }
        if f.occurrences > 1 { title += "  (\(f.occurrences) occurrences)" }
        if let c = f.calculator { title += "  [\(c.generation.rawValue)\(f.vendor.map { ", " + $0 } ?? "")]" }
        out.append(contentsOf: TextLayout.wrap(title, width: TextReporter.width, indent: "", hanging: "    "))
        out.append(contentsOf: wrap(Narrative.headline(f), indent: "  "))
        if let c = f.calculator, let bar = bar(c) { out.append("  " + bar) }
        for line in Narrative.details(f) { out.append(contentsOf: wrap(line, indent: "  ")) }
        out.append(contentsOf: wrap("Platform: \(f.platform.rawValue) (\(f.platformReason)).", indent: "  "))
        if let r = f.recommendation {
            out.append(contentsOf: wrap("Recommendation: " + Narrative.recommendationHeadline(r) + ".", indent: "  "))
            if let advice = r.containerLimitAdvice { out.append(contentsOf: wrap(advice, indent: "  ")) }
            if !r.alternatives.isEmpty, let current = r.currentBytes {
                let within = r.currentDescription ?? MemorySize(bytes: current).description
                out.append(contentsOf: wrap("To start within \(within) instead:", indent: "  "))
                for a in r.alternatives {
                    out.append(contentsOf: wrap("- \(a.change): heap \(MemorySize(bytes: a.heapBytes))", indent: "    ", hanging: "      "))
                }
            }
        }
        if !f.evidence.isEmpty {
            out.append("  Evidence:")
            for e in f.evidence {
                out.append(contentsOf: wrap("\(e.input):\(e.line)  \(e.text)", indent: "    ", hanging: "        "))
            }
        }
        return out
    }

    /// A one-line bar of the regions against what was available: `#` fixed regions, `=` heap, `!` over the limit.
    func bar(_ c: CalculatorFailure) -> String? {
        guard let required = c.requiredBytes, required >= 0, c.availableBytes > 0 else { return nil }
        let cells = 60
        let scale = Double(max(required, c.availableBytes)) / Double(cells)
        let fits = max(0, min(cells, Int((Double(min(required, c.availableBytes)) / scale).rounded())))
        let over = required > c.availableBytes ? cells - fits : 0
        let free = required < c.availableBytes ? cells - fits : 0
        let fill = color ? "█" : "#"
        let overFill = color ? paint(String(repeating: "█", count: over), "31") : String(repeating: "!", count: over)
        let freeFill = color ? String(repeating: "░", count: free) : String(repeating: "=", count: free)
        let legend = over > 0 ? "over by \(MemorySize(bytes: required - c.availableBytes))" : "heap \(MemorySize(bytes: c.availableBytes - required))"
        return "[" + String(repeating: fill, count: fits) + overFill + freeFill + "] " + legend
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func wrap(_ text: String, indent: String, hanging: String? = nil) -> [String] {
        TextLayout.wrap(Sanitizer.forTerminal(text), width: TextReporter.width, indent: indent, hanging: hanging ?? indent)
    }

    func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}

enum TextLayout {
    /// Greedy word wrap; a word longer than a line is cut. Widths are counted as they grow (linear time).
    static func wrap(_ text: String, width: Int, indent: String, hanging: String) -> [String] {
        var lines: [String] = []
        var current = indent
        var currentWidth = indent.count
        var empty = true
        func flush() {
            lines.append(current)
            current = hanging
            currentWidth = hanging.count
            empty = true
        }
        for piece in text.split(separator: " ") {
            let characters = Array(piece)
            var start = 0
            if !empty && currentWidth + 1 + characters.count > width { flush() }
            while currentWidth + (empty ? 0 : 1) + (characters.count - start) > width {
                let room = max(1, width - currentWidth - (empty ? 0 : 1))
                current += (empty ? "" : " ") + String(characters[start..<(start + room)])
                start += room
                flush()
            }
            if start < characters.count {
                current += (empty ? "" : " ") + String(characters[start...])
                currentWidth += (empty ? 0 : 1) + characters.count - start
                empty = false
            }
        }
        if !empty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// Makes log text safe to show: no control characters, no escape sequences, no bidi tricks.
public enum Sanitizer {
    public static func forTerminal(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0x09 { scalars.append(" "); continue }
            // C0, DEL, C1; line and paragraph separators; bidi marks, embeddings and isolates.
            if v < 0x20 || (0x7F...0x9F).contains(v) || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
                || v == 0x200E || v == 0x200F || v == 0x061C {
                continue
            }
            scalars.append(s)
        }
        return String(scalars)
    }
}
