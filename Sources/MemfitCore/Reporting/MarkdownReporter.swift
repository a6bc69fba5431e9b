/// An incident-ready section in GitHub-flavoured Markdown: summary, arithmetic table, recommendation, evidence.
/// Log text is escaped so that it cannot break a table or inject HTML.
public struct MarkdownReporter: Reporter {
    public var title: String

    public init(title: String = "memfit: JVM launch memory diagnosis") { self.title = title }

    public func render(_ report: AnalysisReport) -> String {
        var out: [String] = []
        out.append("# \(Markdown.inline(title))")
        out.append("")
        let inputs = report.inputs.map { "`\(Markdown.code($0.path))`" }.joined(separator: ", ")
        out.append("_memfit \(MemfitVersion.current) · inputs: \(inputs.isEmpty ? "none" : inputs)_")
        out.append("")
        out.append("## Summary")
        out.append("")
        out.append(summary(report))
        if report.sourceSummary {
            out += ["", "## Sources", "", "| Source | Status | Latest | Occurrences | Near misses | Last seen |", "|---|---|---|---:|---:|---|"]
            out += SourceSummary.rows(report).map { r in
                "| \(Markdown.cell(r.source)) | \(r.status.rawValue) | \(Markdown.cell(r.latest)) | \(r.occurrences) | \(r.nearMisses) | "
                    + "\(Markdown.cell(r.lastSeen ?? "-")) |"
            }
        }
        out.append(contentsOf: timeline(report))
        for (i, f) in report.findings.enumerated() {
            out.append("")
            out.append(contentsOf: section(f, number: i + 1))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The evidence lines that carry a timestamp, in time order, across all findings.
    func timeline(_ report: AnalysisReport) -> [String] {
        var rows: [(ms: Int64?, order: Int, line: String)] = []
        var seen: Set<Evidence> = []
        for f in report.findings {
            for e in f.evidence where e.timestamp != nil && seen.insert(e).inserted {
                let ms = e.timestamp.flatMap(LogTimestamp.milliseconds)
                let time = ms.map(LogTimestamp.iso8601) ?? e.timestamp!
                rows.append((ms, rows.count, "| \(Markdown.cell(time)) | \(Markdown.cell(f.source ?? "-")) | \(f.kindName) | "
                    + "\(Markdown.cell(FactExtractor.clipped(e.text, to: 160))) |"))
            }
        }
        guard rows.count >= 2 else { return [] }
        rows.sort { ($0.ms ?? .max, $0.order) < ($1.ms ?? .max, $1.order) }
        return ["", "## Timeline", "", "| Time (UTC) | Source | Finding | Line |", "|---|---|---|---|"] + rows.map(\.line)
    }

    func summary(_ report: AnalysisReport) -> String {
        if report.findings.isEmpty {
            return "No launch-memory failures or warnings were found "
                + "(\(report.inputs.reduce(0) { $0 + $1.records }) records read)."
        }
        return report.findings.map { f in
            var text = Markdown.inline(Narrative.headline(f))
            if let r = f.recommendation { text += " Recommended: " + Markdown.inline(Narrative.recommendationHeadline(r)) + "." }
            return text
        }.joined(separator: " ")
    }

    func section(_ f: Finding, number: Int) -> [String] {
        var out: [String] = []
        out.append("## \(number). \(f.kindName) (\(f.severity.rawValue))")
        out.append("")
        out.append("| Field | Value |")
        out.append("|---|---|")
        out.append("| Source | \(Markdown.cell(f.source ?? "(not named in the log)")) |")
        out.append("| Kind | \(f.kindName) |")
        out.append("| Occurrences | \(f.occurrences) |")
        out.append("| Platform | \(f.platform.rawValue) (\(Markdown.cell(f.platformReason))) |")
        if let c = f.calculator {
            out.append("| Calculator | \(c.generation.rawValue)\(f.vendor.map { " (" + Markdown.cell($0) + ")" } ?? "") |")
        }
        if let first = f.firstSeen { out.append("| First seen | \(Markdown.cell(first)) |") }
        if let last = f.lastSeen { out.append("| Last seen | \(Markdown.cell(last)) |") }
        out.append("")
        out.append("**\(Markdown.inline(Narrative.headline(f)))**")
        out.append("")
        for line in Narrative.details(f) { out.append("- " + Markdown.inline(line)) }
        if let c = f.calculator {
            out.append("")
            out.append("### Arithmetic")
            out.append("")
            out.append(contentsOf: arithmetic(c))
            out.append(contentsOf: mermaid(c))
        }
        if let r = f.recommendation {
            out.append("")
            out.append("### Recommendation")
            out.append("")
            out.append(Markdown.inline(Narrative.recommendationHeadline(r)) + ".")
            if let advice = r.containerLimitAdvice {
                out.append("")
                out.append(Markdown.prose(advice))
            }
            out.append("")
            out.append("| Option | Memory | Heap left |")
            out.append("|---|---:|---:|")
            out.append("| Recommended size | \(r.memoryMiB) MiB | \(MemorySize(bytes: r.heapBytes)) |")
            // Alternatives keep the current size exactly (616300K is not a whole number of MiB).
            let kept = r.currentBytes.map { MemorySize(bytes: $0).description }
            for a in r.alternatives {
                out.append("| \(Markdown.cell(a.change)) | \(kept ?? "\(a.memoryMiB) MiB") | \(MemorySize(bytes: a.heapBytes)) |")
            }
            if let current = r.currentDescription, !r.alternatives.isEmpty {
                out.append("")
                out.append("Alternatives keep \(Markdown.inline(current)).")
            }
        }
        if !f.evidence.isEmpty {
            out.append("")
            out.append("### Evidence")
            out.append("")
            let body = f.evidence.map { "\(Sanitizer.forTerminal($0.input)):\($0.line)  \(Sanitizer.forTerminal($0.text))" }
            let fence = Markdown.fence(for: body.joined(separator: "\n"))
            out.append(fence + "text")
            out.append(contentsOf: body)
            out.append(fence)
        }
        return out
    }

    /// A Mermaid pie of what the calculator wanted out of the memory it had (KiB), with what did not fit.
    func mermaid(_ c: CalculatorFailure) -> [String] {
        var slices: [(String, Int64?)] = [
            ("Heap (-Xmx)", c.heapUserSet ? c.regions.heapBytes : nil), ("Headroom", c.regions.headroomBytes),
            ("Direct memory", c.regions.directMemoryBytes), ("Metaspace", c.regions.metaspaceBytes),
            ("Code cache", c.regions.reservedCodeCacheBytes), ("Thread stacks", c.regions.threadStackBytes),
            ("Not listed in the line", c.regions.unlistedBytes),
        ]
        if !c.heapUserSet, let heap = c.regions.heapBytes { slices.append(("Heap", heap)) }
        if let shortfall = c.shortfallBytes, shortfall > 0 { slices.append(("Over the limit", shortfall)) }
        let shown = slices.compactMap { name, bytes in bytes.flatMap { $0 > 0 ? (name, $0 / MemorySize.kibi) : nil } }
        guard shown.count >= 2 else { return [] }
        return ["", "```mermaid", "pie showData title Memory regions against \(c.printedAvailable ?? "the limit") available (KiB)"]
            + shown.map { "    \"\($0.0)\" : \($0.1)" } + ["```"]
    }

    func arithmetic(_ c: CalculatorFailure) -> [String] {
        var rows: [String] = ["| Region | Size | Bytes | Note |", "|---|---:|---:|---|"]
        func row(_ name: String, _ bytes: Int64?, size: String? = nil, note: String = "") {
            guard let bytes else { return }
            rows.append("| \(name) | \(size ?? MemorySize(bytes: bytes).description) | \(groupedThousands(Int(bytes))) | \(note) |")
        }
        if c.heapUserSet { row("Heap (-Xmx, user-set)", c.regions.heapBytes) }
        if c.check == .nonHeap || c.check == .all || c.check == nil { row("Headroom", c.regions.headroomBytes) }
        row("Direct memory", c.regions.directMemoryBytes)
        row("Metaspace", c.regions.metaspaceBytes, size: c.printedMetaspace,
            note: c.loadedClassCountDerived ? "derived: \(groupedThousands(c.loadedClassCount ?? 0)) loaded classes" : "")
        row("Code cache", c.regions.reservedCodeCacheBytes)
        if let t = c.threadCount, let s = c.stackBytes {
            row("Thread stacks", c.regions.threadStackBytes, size: "\(t) × \(MemorySize(bytes: s))")
        }
        row("Not listed in the line", c.regions.unlistedBytes, note: "in the printed total, not itemised")
        if !c.heapUserSet, c.check == nil { row("Heap (calculated)", c.regions.heapBytes) }
        row("Required", c.requiredBytes, size: c.printedRequired)
        let visibility = c.limitVisible == false ? "free memory, no visible limit" : c.limitVisible == true ? "visible limit" : "limit or free memory: the log does not say"
        row("Available", c.availableBytes, size: c.printedAvailable, note: visibility)
        if let s = c.shortfallBytes, s > 0 { row("Shortfall", s, note: MemorySize(bytes: s).humanReadable) }
        return rows
    }
}

/// Escaping for GitHub-flavoured Markdown.
enum Markdown {
    static let htmlAndTables: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|"]
    static let markup: [Character: String] = htmlAndTables.merging(
        ["`": "\\`", "\\": "\\\\", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "#": "\\#"]) { a, _ in a }

    /// Text in a paragraph or table cell: no HTML, no table breaks, no stray emphasis.
    static func inline(_ text: String) -> String { Sanitizer.escaped(text, markup) }

    static func cell(_ text: String) -> String { inline(text) }

    /// memfit's own sentences (no log text in them): HTML is still escaped, but `code` spans stay code.
    static func prose(_ text: String) -> String { Sanitizer.escaped(text, htmlAndTables) }

    /// Text inside a `code` span: backticks would end it, so they become a look-alike.
    static func code(_ text: String) -> String {
        String(Sanitizer.forTerminal(text).map { $0 == "`" ? "ˋ" : $0 == "|" ? "¦" : $0 })
    }

    /// A backtick fence longer than any run of backticks in `body`.
    static func fence(for body: String) -> String {
        var longest = 0
        var run = 0
        for ch in body {
            run = ch == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}
