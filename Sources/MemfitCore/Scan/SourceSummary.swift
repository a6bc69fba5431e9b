/// The nightly view: one row per source with its worst status, latest finding and when it was seen.
public struct SourceSummary: Sendable, Equatable {
    public var source: String
    public var status: Severity
    /// The latest finding's kind as reports print it (a user rule's own kind).
    public var latest: String
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
                if (f.lastSeen ?? "") > (rows[i].lastSeen ?? "") { rows[i].latest = f.kindName; rows[i].lastSeen = f.lastSeen }
                if let first = f.firstSeen, first < (rows[i].firstSeen ?? first + "~") { rows[i].firstSeen = first }
            } else {
                rows.append(SourceSummary(
                    source: name, status: f.severity, latest: f.kindName, occurrences: f.occurrences,
                    nearMisses: f.kind == .calculatorNearMiss ? f.occurrences : 0, firstSeen: f.firstSeen, lastSeen: f.lastSeen))
            }
        }
        return rows
    }

    /// A plain table within 100 columns: 2 + 33 source + 9 status + 23 kind + ×occurrences (up to 6) + 26 last seen.
    public static func text(_ rows: [SourceSummary]) -> [String] {
        guard !rows.isEmpty else { return [] }
        var lines = ["Sources:"]
        for r in rows {
            let source = r.source.count > 32 ? "…" + r.source.suffix(31) : r.source
            let pad = String(repeating: " ", count: max(1, 33 - source.count))
            let kind = r.latest.count > 22 ? r.latest.prefix(21) + "…" : r.latest
            let count = r.occurrences > 99_999 ? ">99999" : "\(r.occurrences)"
            lines.append("  \(source)\(pad)\(r.status.rawValue.padding(8)) \(kind.padding(22)) ×\(count)"
                + (r.lastSeen.map { "  last \($0.prefix(19))" } ?? ""))
        }
        return lines
    }

    public var json: JSONValue {
        .object([
            ("source", .string(source)), ("status", .string(status.rawValue)), ("latest", .string(latest)),
            ("occurrences", .int(occurrences)), ("nearMisses", .int(nearMisses)),
            ("firstSeen", .optional(firstSeen)), ("lastSeen", .optional(lastSeen)),
        ])
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
