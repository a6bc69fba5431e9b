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
    /// The log named no source, so the row is named after the input file.
    public var namedByInput = false

    /// Rows in the order the sources first appear in the findings.
    public static func rows(_ report: AnalysisReport) -> [SourceSummary] {
        var rows: [SourceSummary] = []
        var index: [String: Int] = [:]
        for f in report.findings {
            let name = f.source ?? f.evidence.first?.input ?? "-"
            if let i = index[name] {
                rows[i].status = max(rows[i].status, f.severity)
                rows[i].occurrences += f.occurrences
                if f.kind == .calculatorNearMiss { rows[i].nearMisses += f.occurrences }
                if (f.lastSeen ?? "") > (rows[i].lastSeen ?? "") { rows[i].latest = f.kindName; rows[i].lastSeen = f.lastSeen }
                if let first = f.firstSeen, first < (rows[i].firstSeen ?? first + "~") { rows[i].firstSeen = first }
            } else {
                index[name] = rows.count
                rows.append(SourceSummary(
                    source: name, status: f.severity, latest: f.kindName, occurrences: f.occurrences,
                    nearMisses: f.kind == .calculatorNearMiss ? f.occurrences : 0, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
                    namedByInput: f.source == nil))
            }
        }
        return rows
    }

    /// A plain table within 100 columns: 2 + 29 source + 9 status + 23 kind + 7 times + 6 near misses + 19 last seen.
    public static func text(_ rows: [SourceSummary]) -> [String] {
        guard !rows.isEmpty else { return [] }
        var lines = ["Sources:", "  " + "source".padding(29) + "status".padding(9) + "latest finding".padding(23) + "times  near  last seen"]
        func clip(_ text: String, _ width: Int) -> String { text.count > width ? text.prefix(width - 1) + "…" : text }
        for r in rows {
            // A file keeps its name (the tail); a stream keeps head and tail, so "ecs/orders-api/0a1b…" and
            // "ecs/credentials/0a1b…" do not both become the same task id.
            let source = r.source.count <= 28 ? r.source
                : r.namedByInput ? "…" + r.source.suffix(27) : r.source.prefix(16) + "…" + r.source.suffix(11)
            let times = r.occurrences > 99_999 ? ">99999" : "\(r.occurrences)"
            let near = r.nearMisses > 9_999 ? ">9999" : "\(r.nearMisses)"
            let line = "  " + source.padding(29) + r.status.rawValue.padding(9) + clip(r.latest, 22).padding(23)
                + times.padding(7) + near.padding(6) + (r.lastSeen.map { String($0.prefix(19)) } ?? "-")
            lines.append(line)
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
