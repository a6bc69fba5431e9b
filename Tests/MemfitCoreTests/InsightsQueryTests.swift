import Testing

@testable import MemfitCore

@Suite struct InsightsQueryTests {
    /// Insights takes RE2-style regexes between slashes: no lookbehind, no unescaped "/".
    @Test func regexIsAcceptedByInsights() {
        let regex = InsightsQuery.regex()
        #expect(!regex.contains("(?<=") && !regex.contains("(?<!"))
        var escaped = false
        for ch in regex {
            if ch == "/" { #expect(escaped, "unescaped slash") }
            escaped = ch == "\\" && !escaped
        }
        #expect(InsightsQuery.regex(literals: ["a/b", "x$"]) == "a\\/b|x\\$")
    }

    /// Every line the catalogue understands is found by the query, so nothing is filtered away in CloudWatch.
    @Test(arguments: PatternCatalogue.builtIn.map(\.id))
    func everySampleMatches(_ id: String) throws {
        let pattern = try PCRE2Pattern(InsightsQuery.regex())
        let sample = try #require(PatternCatalogue.builtIn.first { $0.id == id }?.sample)
        #expect(PCRE2Matcher().matches(pattern, sample) != nil)
    }

    @Test func queryShape() {
        let q = InsightsQuery.query(limit: 500)
        #expect(q.hasPrefix("fields @timestamp, @message, @logStream, @log\n| filter @message like /"))
        #expect(q.hasSuffix("/\n| sort @timestamp desc\n| limit 500\n"))
        #expect(InsightsQuery.recipe(logGroups: ["/ecs/a'b"], limit: 1, since: "1 day ago").contains("--log-group-names '/ecs/a'\\''b'"))
    }
}
