/// Concise terminal output, at most 100 columns, colour only when asked for.
public struct TextReporter: Reporter {
    public static let width = 100
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public func render(_ report: AnalysisReport) -> String {
        var out: [String] = []
        out.append(contentsOf: wrap(summaryLine(report), indent: ""))
        if report.sourceSummary { out.append(contentsOf: SourceSummary.text(SourceSummary.rows(report)).map(Sanitizer.forTerminal)) }
        for f in report.findings {
            out.append("")
            out.append(contentsOf: render(f))
        }
        for input in report.inputs {
            if input.cappedLines > 0 {
                out.append(contentsOf: wrap("note: \(input.path): \(input.cappedLines) line(s) longer than 1 MiB were capped: only their first and last 512 KiB were searched.", indent: ""))
            }
            for hit in input.matchLimitHits {
                let what = hit.hasPrefix("and ") ? "\(hit) lines where a pattern" : "pattern \(hit)"
                out.append(contentsOf: wrap("note: \(input.path): \(what) hit the match limit and was skipped.", indent: ""))
            }
        }
        if report.droppedFacts > 0 {
            out.append(contentsOf: wrap(
                "note: \(report.droppedFacts) launch lines were counted but not kept: past \(FactLedger.maxDistinctPerSource) "
                    + "distinct messages in one source, or \(FactLedger.maxDistinctEntries) warnings or "
                    + "\(FactLedger.maxFailureEntries) failures in all, further distinct ones are only counted.", indent: ""))
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
        var title = "\(label)  \(f.kindName)"
        if let source = f.source { title += "  source \(Sanitizer.forTerminal(source))" }
        if f.occurrences > 1 { title += "  (\(f.occurrences) occurrences)" }
        if let c = f.calculator { title += "  [\(c.generation.rawValue)\(f.vendor.map { ", " + $0 } ?? "")]" }
        out.append(contentsOf: TextLayout.wrap(title, width: TextReporter.width, indent: "", hanging: "    "))
        out.append(contentsOf: wrap(Narrative.headline(f), indent: "  "))
        if let c = f.calculator, let bar = bar(c) {
            out.append("  " + bar)
            if !color {
                let userHeap = c.heapUserSet && c.regions.heapBytes != nil ? ", X heap set with -Xmx" : ""
                let unlisted = c.regions.unlistedBytes != nil ? ", ? not listed" : ""
                out.append(contentsOf: wrap(
                    "(D direct, M metaspace, C code cache, T thread stacks\(userHeap)\(unlisted), = heap, ! over the limit)",
                    indent: "  "))
            }
        }
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

    /// A one-line bar of the regions against the memory the calculator had, 60 cells wide: each region its own
    /// colour (or letter, without colour), `|` at the limit, the part over it red (`!`), the heap left green (`=`).
    /// 36 cells keep the line, legend and key within 100 columns.
    func bar(_ c: CalculatorFailure) -> String? {
        var regions: [(letter: Character, colour: String, bytes: Int64)] = []
        if c.heapUserSet, let h = c.regions.heapBytes { regions.append(("X", "35", h)) }
        if let h = c.regions.headroomBytes, h > 0, c.check != .fixed { regions.append(("R", "37", h)) }
        if let d = c.regions.directMemoryBytes { regions.append(("D", "36", d)) }
        if let m = c.regions.metaspaceBytes { regions.append(("M", "33", m)) }
        if let cc = c.regions.reservedCodeCacheBytes { regions.append(("C", "32", cc)) }
        if let t = c.regions.threadStackBytes { regions.append(("T", "34", t)) }
        if let u = c.regions.unlistedBytes { regions.append(("?", "90", u)) }
        let used = regions.reduce(Int64(0)) { $0 + max(0, $1.bytes) }
        guard used > 0, c.availableBytes > 0 else { return nil }
        let cells = 36
        let scale = Double(max(used, c.availableBytes)) / Double(cells)
        let limitCell = min(cells, Int((Double(c.availableBytes) / scale).rounded()))
        var line: [(Character, String)] = []  // (ASCII letter, colour)
        var start = 0.0
        for r in regions {
            let end = start + Double(max(0, r.bytes)) / scale
            let count = max(0, Int(end.rounded()) - Int(start.rounded()))
            line += Array(repeating: (r.letter, r.colour), count: count)
            start = end
        }
        while line.count < limitCell { line.append(("=", "32")) }  // heap left
        var out = ""
        for (i, cell) in line.prefix(cells).enumerated() {
            if i == limitCell { out += color ? paint("│", "1") : "|" }
            let over = i >= limitCell
            if color {
                out += paint(over ? "█" : cell.0 == "=" ? "░" : "█", over ? "31" : cell.1)
            } else {
                out.append(over ? "!" : cell.0)
            }
        }
        if limitCell >= line.prefix(cells).count { out += color ? paint("│", "1") : "|" }
        let legend = used > c.availableBytes
            ? "over by \(MemorySize(bytes: used - c.availableBytes))"
            : "heap left \(MemorySize(bytes: c.availableBytes - used))"
        return "[" + out + "] " + legend
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func wrap(_ text: String, indent: String, hanging: String? = nil) -> [String] {
        TextLayout.wrap(Sanitizer.forTerminal(text), width: TextReporter.width, indent: indent, hanging: hanging ?? indent)
    }

    func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}

enum TextLayout {
    /// Terminal cells a character takes: 2 for East Asian wide and fullwidth characters and emoji, else 1.
    static func cells(_ character: Character) -> Int {
        guard let v = character.unicodeScalars.first?.value, v >= 0x1100 else { return 1 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    /// The width of a line in terminal cells.
    static func cells(_ text: some StringProtocol) -> Int { text.reduce(0) { $0 + cells($1) } }

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
            let cells = characters.map(TextLayout.cells)
            var remaining = cells.reduce(0, +)
            var start = 0
            if !empty && currentWidth + 1 + remaining > width { flush() }
            while currentWidth + (empty ? 0 : 1) + remaining > width {
                let room = max(1, width - currentWidth - (empty ? 0 : 1))
                var end = start, taken = 0
                while end < characters.count, end == start || taken + cells[end] <= room {
                    taken += cells[end]
                    end += 1
                }
                current += (empty ? "" : " ") + String(characters[start..<end])
                start = end
                remaining -= taken
                flush()
            }
            if start < characters.count {
                current += (empty ? "" : " ") + String(characters[start...])
                currentWidth += (empty ? 0 : 1) + remaining
                empty = false
            }
        }
        if !empty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// Makes log text safe to show: no control characters, no escape sequences, no bidi tricks.
public enum Sanitizer {
    /// Safe text with each character in `replacements` written as its replacement (HTML entities, Markdown escapes).
    static func escaped(_ text: String, _ replacements: [Character: String]) -> String {
        var out = ""
        for ch in forTerminal(text) {
            if let replacement = replacements[ch] { out += replacement } else { out.append(ch) }
        }
        return out
    }

    public static func forTerminal(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v == 0x09 { scalars.append(" "); continue }
            // C0, DEL, C1; line and paragraph separators; format characters (bidi marks, embeddings and isolates,
            // zero-width spaces and joiners, tag characters), which can hide or reorder what a reader sees.
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || s.properties.generalCategory == .format {
                continue
            }
            scalars.append(s)
        }
        return String(scalars)
    }
}
