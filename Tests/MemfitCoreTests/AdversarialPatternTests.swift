import Foundation
import Testing

@testable import MemfitCore

/// Bounded matching (issue 7): lines built to make backtracking patterns explode, against every catalogue pattern.
/// No built-in pattern may hit the PCRE2 limits on them. The 10 ms per line target is asserted only when
/// MEMFIT_TIMING=1 (bench/run sets it, in a release build), because timed assertions flake in a busy CI.
@Suite struct AdversarialPatternTests {
    /// Lines up to the reader's 1 MiB cap that look almost like the entry's message.
    static func adversarialLines(for entry: CatalogueEntry) -> [String] {
        let cap = LineReader().maxLineBytes
        let sample = entry.sample
        let literal = entry.literal
        func upTo(_ unit: String) -> String { String(repeating: unit, count: max(1, cap / max(1, unit.utf8.count) - 1)) }
        return [
            upTo(sample + " "),  // the message, again and again
            upTo(literal + " "),  // the literal without the rest
            upTo(String(sample.dropLast(3))),  // almost the message, cut just before its end
            literal + " " + upTo("9"),  // a number that never ends
            literal + " " + upTo(" "),  // blanks that never end
            literal + upTo(", -Xss1M"),  // a region list that never ends
            upTo(literal + " 1K x "),  // thread-count shapes
            String(sample.prefix(sample.utf8.count / 2)) + upTo("("),  // unbalanced brackets
        ]
    }

    @Test(arguments: PatternCatalogue.builtIn.map(\.id))
    func noPatternRunsAway(id: String) throws {
        let entry = try #require(PatternCatalogue.builtIn.first { $0.id == id })
        let pattern = try PCRE2Pattern(entry.pattern, caseless: entry.caseless)
        let matcher = PCRE2Matcher()
        let strict = ProcessInfo.processInfo.environment["MEMFIT_TIMING"] == "1"
        for (i, line) in Self.adversarialLines(for: entry).enumerated() {
            var text = line
            var slowest = Duration.zero
            for _ in 0..<3 {
                let start = ContinuousClock.now
                let limited = text.withUTF8 { bytes -> Bool in
                    if case .limitExceeded = matcher.match(pattern, in: bytes) { return true }
                    return false
                }
                slowest = max(slowest, ContinuousClock.now - start)
                #expect(!limited, "\(id): adversarial line \(i) (\(line.prefix(60))…) hits the PCRE2 limit")
            }
            if strict { #expect(slowest < .milliseconds(10), "\(id): adversarial line \(i) took \(slowest)") }
            #expect(slowest < .seconds(1), "\(id): adversarial line \(i) took \(slowest)")
        }
    }
}
