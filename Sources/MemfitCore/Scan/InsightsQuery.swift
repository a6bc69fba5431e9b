/// `memfit query insights`: a CloudWatch Logs Insights query built from the catalogue's prefilter literals, so
/// CloudWatch does the filtering over every log group and memfit diagnoses the exported results.
public enum InsightsQuery {
    /// A regex every catalogue line matches: the prefilter literals (each entry holds one), escaped for Insights,
    /// which takes `/…/` regexes (RE2 syntax: no lookbehind; a `/` must be escaped).
    public static func regex(literals: [String] = PatternCatalogue.prefilterLiterals) -> String {
        literals.map(escape).joined(separator: "|")
    }

    static func escape(_ literal: String) -> String {
        var out = ""
        for ch in literal {
            if "\\.^$|?*+()[]{}/".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    public static func query(limit: Int = 10_000) -> String {
        "fields @timestamp, @message, @logStream, @log\n"
            + "| filter @message like /\(regex())/\n"
            + "| sort @timestamp desc\n"
            + "| limit \(limit)\n"
    }

    /// How to run it: the query plus an `aws logs start-query` recipe for the given log groups.
    public static func recipe(logGroups: [String], limit: Int, since: String) -> String {
        let groups = logGroups.isEmpty ? ["/ecs/YOUR-SERVICE"] : logGroups
        let q = query(limit: limit)
        let oneLine = q.split(separator: "\n").joined(separator: " ").replacingSingleQuotes()
        // `--log-group-names` takes several groups (`--log-group-name` only one).
        let groupArguments = "--log-group-names " + groups.map { "'" + $0.replacingSingleQuotes() + "'" }.joined(separator: " ")
        var lines = [q, "# Run it in the console (Logs Insights, select the log groups), or:"]
        lines.append("#   QID=$(aws logs start-query " + groupArguments + " \\")
        lines.append("#         --start-time $(date -d '" + since.replacingSingleQuotes() + "' +%s) --end-time $(date +%s) \\")
        lines.append("#         --query-string '" + oneLine + "' --query queryId --output text)")
        lines.append("#   # the query runs for a while: wait until it is Complete")
        lines.append("#   while [ \"$(aws logs get-query-results --query-id \"$QID\" --query status --output text)\" != Complete ]; do sleep 5; done")
        lines.append("#   aws logs get-query-results --query-id \"$QID\" > results.json")
        lines.append("#   memfit results.json")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Safe inside a single-quoted shell word.
    func replacingSingleQuotes() -> String {
        var out = ""
        for ch in self { out += ch == "'" ? "'\\''" : String(ch) }
        return out
    }
}
