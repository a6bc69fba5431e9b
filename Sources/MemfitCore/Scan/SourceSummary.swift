/// The nightly view: one row per source with its worst status, latest finding and when it was seen.
public struct SourceSummary: Sendable, Equatable {
    public var source: String
    public var status: Severity
    public var latest: FindingKind
    public var occurrences: Int
    public var nearMisses: Int
    public var firstSeen: String?
    public var lastSeen: String?

    /// Rows in the order the sources first appear in the findings.
    public static func rows(_ report: AnalysisReport) -> [SourceSummary] {
        var rows: [SourceSummary] = []
        for f in report.findings {
            let name = f.source ?? f.evidence.first?.input ?? "-"
            if let i = rows.firstIndex(where: { $0.source == name }) {
                rows[i].status = max(rows[i].status, f.severity)
                rows[i].occurrences += f.occurrences
                if f.kind == .calculatorNearMiss { rows[i].nearMisses += f.occurrences }
                if (f.lastSeen ?? "") > (rows[i].lastSeen ?? "") { rows[i].latest = f.kind; rows[i].lastSeen = f.lastSeen }
                if let first = f.firstSeen, first < (rows[i].firstSeen ?? first + "~") { rows[i].firstSeen = first }
            } else {
                rows.append(SourceSummary(
                    source: name, status: f.severity, latest: f.kind, occurrences: f.occurrences,
                    nearMisses: f.kind == .calculatorNearMiss ? f.occurrences : 0, firstSeen: f.firstSeen, lastSeen: f.lastSeen))
            }
        }
        return rows
    }

    /// A plain table within 100 columns.
    public static func text(_ rows: [SourceSummary]) -> [String] {
        guard !rows.isEmpty else { return [] }
        var lines = ["Sources:"]
        for r in rows {
            let source = r.source.count > 40 ? "…" + r.source.suffix(39) : r.source
            let pad = String(repeating: " ", count: max(1, 41 - source.count))
            lines.append("  \(source)\(pad)\(r.status.rawValue.padding(8)) \(r.latest.rawValue.padding(22)) ×\(r.occurrences)"
                + (r.lastSeen.map { "  last \($0.prefix(19))" } ?? ""))
        }
        return lines
    }

    public var json: JSONValue {
        .object([
            ("source", .string(source)), ("status", .string(status.rawValue)), ("latest", .string(latest.rawValue)),
            ("occurrences", .int(occurrences)), ("nearMisses", .int(nearMisses)),
            ("firstSeen", .optional(firstSeen)), ("lastSeen", .optional(lastSeen)),
        ])
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
