/// Stage 7, report: one type per output format behind one protocol, as SwiftLint does with its reporters.
public protocol Reporter {
    /// The whole report as the bytes to write to stdout. Same input, same output: no clocks, stable order.
    func render(_ report: AnalysisReport) -> String
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case text, json, markdown, html

    public func reporter(color: Bool, title: String? = nil) -> any Reporter {
        switch self {
        case .text: return TextReporter(color: color)
        case .json: return JSONReporter()
        case .markdown: return title.map { MarkdownReporter(title: $0) } ?? MarkdownReporter()
        case .html: return title.map { HTMLReporter(title: $0) } ?? HTMLReporter()
        }
    }
}

/// The version printed by `--version` and in reports.
public enum MemfitVersion {
    public static let current = "0.1.0"
}
