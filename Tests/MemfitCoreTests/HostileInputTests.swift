import Foundation
import Testing

@testable import MemfitCore

/// Regression tests for inputs a tester used to break memfit: each once crashed, hung, grew without bound or lost
/// the finding. Every report is also rendered in all three formats, which is where several of them crashed.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    /// The kinds that must be reported (in any order).
    var kinds: [FindingKind]
    var testDescription: String { name }
}

@Suite struct HostileInputTests {
    static let fl = "fixed memory regions require 632382K which is greater than 616300K available for allocation: "
        + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"
    static let config = "Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -Xmx120727K -XX:MaxMetaspaceSize=114792K "
        + "-XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: 730M, Thread Count: 250, Loaded Class Count: 17853, Headroom: 0%)"

    static let cases: [HostileCase] = [
        HostileCase(name: "thread count past Int64 when multiplied",
                    text: fl.replacingOccurrences(of: "250 threads", with: "99999999999999 threads"), kinds: [.calculatorFailure]),
        HostileCase(name: "huge stack", text: fl.replacingOccurrences(of: "-Xss1M", with: "-Xss8388607T"), kinds: [.calculatorFailure]),
        HostileCase(name: "metaspace near Int64.max",
                    text: fl.replacingOccurrences(of: "120382K", with: "9223372036854775807"), kinds: [.calculatorFailure]),
        HostileCase(name: "success line with an absurd thread count",
                    text: config.replacingOccurrences(of: "Thread Count: 250", with: "Thread Count: 99999999999999"), kinds: []),
        HostileCase(name: "success line with an absurd headroom",
                    text: config.replacingOccurrences(of: "Headroom: 0%", with: "Headroom: 99999999999%"), kinds: []),
        HostileCase(name: "headroom far above what was available",
                    text: "non-heap memory regions require 8T which is greater than 1 available for allocation: 8388607T headroom, "
                        + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
                    kinds: [.calculatorFailure]),
        HostileCase(name: "-Xmx above the total, then a heap OOM",
                    text: config.replacingOccurrences(of: "-Xmx120727K", with: "-Xmx8000000T") + "\nTerminating due to java.lang.OutOfMemoryError: Java heap space",
                    kinds: [.jvmOutOfMemory]),
        HostileCase(name: "100% headroom (BPL_JVM_HEAD_ROOM=100)",
                    text: "non-heap memory regions require 1632382K which is greater than 1G available for allocation: 1G headroom, "
                        + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
                    kinds: [.calculatorFailure]),
        HostileCase(name: "700 blanks then more text after the failure", text: fl + String(repeating: " ", count: 700) + "x",
                    kinds: [.calculatorFailure]),
        HostileCase(name: "100 KB after the failure", text: fl + String(repeating: ", junk", count: 17_000), kinds: [.calculatorFailure]),
        HostileCase(name: "100,000 commas", text: fl + String(repeating: ",", count: 100_000), kinds: [.calculatorFailure]),
        HostileCase(name: "available that overflows", text: fl.replacingOccurrences(of: "than 616300K", with: "than 99999999999T"),
                    kinds: [.calculatorFailure]),
        HostileCase(name: "regions list wrapped onto the next line",
                    text: "fixed memory regions require 632382K which is greater than 616300K available for allocation:\n"
                        + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
                    kinds: [.calculatorFailure]),
        HostileCase(name: "calculator error behind a syslog prefix",
                    text: "Jun 13 15:51:44 host app[123]: unable to determine class count", kinds: [.launchFailure]),
        HostileCase(name: "calculator error inside a Docker json-file line",
                    text: #"{"log":"unable to convert $BPL_JVM_THREAD_COUNT=fifty to integer\n","stream":"stderr","time":"2023-06-13T15:51:44Z"}"#,
                    kinds: [.launchFailure]),
        HostileCase(name: "lone CR line ends",
                    text: "Calculating JVM memory based on 616300K available memory\runable to calculate memory configuration\r" + fl + "\r",
                    kinds: [.calculatorFailure]),
        HostileCase(name: "zero threads", text: fl.replacingOccurrences(of: "250 threads", with: "0 threads"), kinds: [.calculatorFailure]),
        HostileCase(name: "control characters and bidi marks in the failure line",
                    text: "\u{1B}]0;PWNED\u{07}\u{202E}" + fl + "\u{2028}\u{200F}", kinds: [.calculatorFailure]),
    ]

    @Test(arguments: cases)
    func survives(_ c: HostileCase) throws {
        let report = try analyze(c.text)
        #expect(Set(report.findings.map(\.kind)) == Set(c.kinds))
        for reporter in [TextReporter(color: true), TextReporter(color: false)] as [any Reporter] + [JSONReporter(), MarkdownReporter()] {
            let out = reporter.render(report)
            #expect(!out.unicodeScalars.contains { $0.value == 0x07 || $0.value == 0x202E || $0.value == 0x2028 })
        }
        let text = TextReporter(color: false).render(report)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    /// Regression: 100,000 distinct healthy lines filled the ledger and a later failure was dropped.
    @Test func aFailureAfterManyDistinctLinesIsKept() throws {
        var text = ""
        for i in 0..<20_000 {
            text += HostileInputTests.config.replacingOccurrences(of: "-Xmx120727K", with: "-Xmx\(200_000 + i)K") + "\n"
        }
        text += HostileInputTests.fl + "\n"
        let report = try analyze(text)
        #expect(report.findings.contains { $0.kind == .calculatorFailure })
        #expect(report.droppedFacts == 0)
    }

    /// Many sources each failing: findings are kept; past the source cap they are counted together, not lost.
    @Test func manySourcesAreBounded() throws {
        var ledger = FactLedger()
        let record = LogRecord(input: "t", line: 1, message: HostileInputTests.fl)
        let catalogue = try CompiledCatalogue()
        let matcher = LineMatcher(catalogue: catalogue)
        guard case .matched(let entry, let m) = matcher.match(HostileInputTests.fl) else { Issue.record("no match"); return }
        for i in 0..<(FactLedger.maxSources + 50) {
            var r = record
            r.source = "pod-\(i)"
            ledger.add(try #require(FactExtractor.fact(from: m, entry: entry, record: r)))
        }
        #expect(ledger.sources.count == FactLedger.maxSources + 1)
        #expect(ledger.sources.last?.key.source == FactLedger.overflowSource)
        #expect(ledger.sources.last?.entries.first?.count == 50)
    }

    @Test func hugeWordsWrapInLinearTime() {
        let word = String(repeating: "y", count: 200_000)
        let lines = TextLayout.wrap(word + " end", width: 100, indent: "  ", hanging: "    ")
        #expect(lines.count > 2_000)
        #expect(lines.allSatisfy { $0.count <= 100 })
    }

    @Test func gzipTrailingGarbageThatLooksLikeAMember() throws {
        let seed = try Fixtures.data("p01-seed-console-paste.txt")
        let dir = try makeTemporaryDirectory("gz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("seed.txt")
        try seed.write(to: plain)
        let gz = dir.appendingPathComponent("seed.gz")
        try shell("gzip -c \(plain.path) > \(gz.path) && printf '\\037\\000junk' >> \(gz.path)")
        let report = try Analyzer().analyze(paths: [gz.path], options: DiagnosisOptions())
        #expect(report.inputErrors.isEmpty)
        #expect(report.findings.first?.kind == .calculatorFailure)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
