/// One self-contained HTML file: inline CSS, an inline SVG stacked bar of the memory regions per finding, and a bar
/// chart of size against heap left for the recommendation. No scripts, no fonts, no network fetches.
public struct HTMLReporter: Reporter {
    public var title: String

    public init(title: String = "memfit: JVM launch memory diagnosis") { self.title = title }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1f24;padding:0 1rem}
        h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}h3{font-size:1rem}
        table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f6f8fa;padding:.75rem;overflow-x:auto;white-space:pre-wrap}
        .failure{color:#b91c1c}.warning{color:#a16207}.meta{color:#57606a}
        svg text{font:12px system-ui,sans-serif}
        """

    /// Region colours, in stacking order; the shortfall is red.
    static let regionColours: [(name: String, colour: String)] = [
        ("heap-user", "#7c3aed"), ("headroom", "#94a3b8"), ("direct", "#0ea5e9"), ("metaspace", "#f59e0b"),
        ("code-cache", "#10b981"), ("thread-stacks", "#6366f1"), ("not-listed", "#9ca3af"), ("heap", "#22c55e"),
    ]

    public func render(_ report: AnalysisReport) -> String {
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"en\"><head><meta charset=\"utf-8\">")
        out.append("<meta name=\"generator\" content=\"memfit \(MemfitVersion.current)\">")
        out.append("<title>\(HTML.escape(title))</title><style>\(HTMLReporter.css)</style></head><body>")
        out.append("<h1>\(HTML.escape(title))</h1>")
        out.append("<p class=\"meta\">memfit \(MemfitVersion.current) · inputs: "
            + report.inputs.map { "<code>\(HTML.escape($0.path))</code>" }.joined(separator: ", ") + "</p>")
        if report.findings.isEmpty {
            out.append("<p>No launch-memory failures or warnings were found.</p>")
        }
        for (i, f) in report.findings.enumerated() {
            out.append(contentsOf: section(f, number: i + 1))
        }
        out.append("</body></html>")
        return out.joined(separator: "\n") + "\n"
    }

    func section(_ f: Finding, number: Int) -> [String] {
        var out: [String] = []
        out.append("<section class=\"finding\" id=\"finding-\(number)\">")
        out.append("<h2 class=\"\(f.severity.rawValue)\">\(number). \(f.kindName) (\(f.severity.rawValue))</h2>")
        out.append("<table><tr><th>Source</th><td>\(HTML.escape(f.source ?? "(not named in the log)"))</td></tr>"
            + "<tr><th>Occurrences</th><td>\(f.occurrences)</td></tr>"
            + "<tr><th>Platform</th><td>\(f.platform.rawValue) (\(HTML.escape(f.platformReason)))</td></tr>"
            + (f.firstSeen.map { "<tr><th>First seen</th><td>\(HTML.escape($0))</td></tr>" } ?? "")
            + (f.lastSeen.map { "<tr><th>Last seen</th><td>\(HTML.escape($0))</td></tr>" } ?? "") + "</table>")
        out.append("<p><strong>\(HTML.prose(Narrative.headline(f)))</strong></p>")
        let details = Narrative.details(f)
        if !details.isEmpty { out.append("<ul>" + details.map { "<li>\(HTML.prose($0))</li>" }.joined() + "</ul>") }
        if let c = f.calculator {
            out.append("<h3>Memory regions</h3>")
            out.append(regionsBar(c))
        }
        if let r = f.recommendation {
            out.append("<h3>Recommendation</h3>")
            out.append("<p>\(HTML.prose(Narrative.recommendationHeadline(r))).</p>")
            if let advice = r.containerLimitAdvice { out.append("<p>\(HTML.prose(advice))</p>") }
            out.append(recommendationChart(r))
        }
        if !f.evidence.isEmpty {
            out.append("<h3>Evidence</h3><pre>" + f.evidence.map {
                HTML.escape("\($0.input):\($0.line)  \(Sanitizer.forTerminal($0.text))")
            }.joined(separator: "\n") + "</pre>")
        }
        out.append("</section>")
        return out
    }

    /// The regions stacked left to right against the memory the calculator had; the part past it in red.
    func regionsBar(_ c: CalculatorFailure) -> String {
        var segments: [(String, Int64)] = []
        if c.heapUserSet, let h = c.regions.heapBytes { segments.append(("heap-user", h)) }
        if let h = c.regions.headroomBytes, h > 0 { segments.append(("headroom", h)) }
        if let d = c.regions.directMemoryBytes { segments.append(("direct", d)) }
        if let m = c.regions.metaspaceBytes { segments.append(("metaspace", m)) }
        if let cc = c.regions.reservedCodeCacheBytes { segments.append(("code-cache", cc)) }
        if let t = c.regions.threadStackBytes { segments.append(("thread-stacks", t)) }
        if let u = c.regions.unlistedBytes { segments.append(("not-listed", u)) }
        if !c.heapUserSet, let h = c.regions.heapBytes, h > 0 { segments.append(("heap", h)) }
        let used = segments.reduce(Int64(0)) { $0 + max(0, $1.1) }
        let total = max(used, c.availableBytes, 1)
        let width = 640.0, barTop = 20.0, barHeight = 36.0
        let scale = (width - 2) / Double(total)
        var svg = ["<svg class=\"regions\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"110\" "
            + "viewBox=\"0 0 \(Int(width)) 110\" role=\"img\" aria-label=\"memory regions against the available memory\">"]
        var x = 1.0
        for (name, bytes) in segments where bytes > 0 {
            let w = Double(bytes) * scale
            let colour = HTMLReporter.regionColours.first { $0.name == name }?.colour ?? "#999"
            svg.append("<rect class=\"segment \(name)\" data-bytes=\"\(bytes)\" x=\"\(fmt(x))\" y=\"\(fmt(barTop))\" "
                + "width=\"\(fmt(w))\" height=\"\(fmt(barHeight))\" fill=\"\(colour)\"><title>\(name) \(MemorySize(bytes: bytes))</title></rect>")
            x += w
        }
        let limitX = 1 + Double(c.availableBytes) * scale
        if used > c.availableBytes {
            svg.append("<rect class=\"shortfall\" data-bytes=\"\(used - c.availableBytes)\" x=\"\(fmt(limitX))\" y=\"\(fmt(barTop - 4))\" "
                + "width=\"\(fmt(x - limitX))\" height=\"\(fmt(barHeight + 8))\" fill=\"#dc2626\" fill-opacity=\"0.35\" stroke=\"#dc2626\">"
                + "<title>over by \(MemorySize(bytes: used - c.availableBytes))</title></rect>")
        }
        svg.append("<line class=\"limit\" data-bytes=\"\(c.availableBytes)\" x1=\"\(fmt(limitX))\" x2=\"\(fmt(limitX))\" y1=\"8\" "
            + "y2=\"\(fmt(barTop + barHeight + 10))\" stroke=\"#111\" stroke-width=\"2\"/>")
        let label = "available \(c.printedAvailable ?? MemorySize(bytes: c.availableBytes).description)"
        svg.append("<text x=\"\(fmt(min(limitX, width - 150)))\" y=\"\(fmt(barTop + barHeight + 26))\">\(HTML.escape(label))</text>")
        var legendX = 1.0
        for (name, bytes) in segments where bytes > 0 {
            let colour = HTMLReporter.regionColours.first { $0.name == name }?.colour ?? "#999"
            svg.append("<rect x=\"\(fmt(legendX))\" y=\"92\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
                + "<text x=\"\(fmt(legendX + 13))\" y=\"101\">\(name) \(MemorySize(bytes: bytes))</text>")
            legendX += 150
            if legendX > width - 100 { break }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// Memory size against the heap it leaves: the recommendation and each alternative.
    func recommendationChart(_ r: Recommendation) -> String {
        // Short labels: the setting itself ("BPL_JVM_THREAD_COUNT=106"); the full text is in the tooltip.
        func label(_ change: String) -> String {
            let setting = change.split(separator: " ", maxSplits: 1).first.map(String.init) ?? change
            return String(setting.prefix(34))
        }
        let rows = [("recommended \(r.memoryMiB) MiB", r.heapBytes, "the recommended size")]
            + r.alternatives.map { (label($0.change), $0.heapBytes, $0.change) }
        let maxHeap = max(rows.map(\.1).max() ?? 1, 1)
        let width = 640.0, rowHeight = 22.0, labelWidth = 250.0
        var svg = ["<svg class=\"alternatives\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" "
            + "height=\"\(Int(Double(rows.count) * rowHeight + 8))\" role=\"img\" aria-label=\"heap left for each option\">"]
        for (i, row) in rows.enumerated() {
            let y = Double(i) * rowHeight + 4
            let w = max(1, Double(max(0, row.1)) / Double(maxHeap) * (width - labelWidth - 110))
            svg.append("<text x=\"0\" y=\"\(fmt(y + 14))\">\(HTML.escape(row.0))<title>\(HTML.escape(row.2))</title></text>"
                + "<rect class=\"heap-left\" data-bytes=\"\(row.1)\" x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(w))\" "
                + "height=\"14\" fill=\"\(i == 0 ? "#22c55e" : "#86efac")\"/>"
                + "<text x=\"\(fmt(labelWidth + w + 6))\" y=\"\(fmt(y + 14))\">heap \(MemorySize(bytes: row.1))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    func fmt(_ v: Double) -> String { formatTwoDecimals(v) }
}

enum HTML {
    static let entities: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]

    static func escape(_ text: String) -> String { Sanitizer.escaped(text, entities) }

    /// Narrative text, escaped, with its Markdown-style `code` spans as <code> (an unpaired backtick stays as it is).
    static func prose(_ text: String) -> String {
        let parts = escape(text).split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count > 2 else { return parts.joined(separator: "`") }
        var out = ""
        for (i, part) in parts.enumerated() {
            if i == 0 { out += part; continue }
            let opensCode = i % 2 == 1
            let unpaired = opensCode && i == parts.count - 1
            out += unpaired ? "`" : (opensCode ? "<code>" : "</code>")
            out += part
        }
        return out
    }
}
