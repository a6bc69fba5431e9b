import Foundation
import Testing

@testable import MemfitCore

/// Regressions from a hostile-input tester: findings pushed out by caps, a garbage line hiding the real arithmetic,
/// and secrets cut in half (so no longer recognised) before redaction.
@Suite struct LedgerAndClippingTests {
    static let fl = HostileInputTests.fl
    static let execd = "ERROR: failed to launch: exec.d: failed to execute exec.d file at path "
        + "'/layers/paketo-buildpacks_bellsoft-liberica/helper/exec.d/memory-calculator': exit status 1"

    /// 64 distinct warnings used to fill the source's cap, and the calculator's exit (a failure) was dropped.
    @Test func warningsDoNotPushOutAFailure() throws {
        let warnings = (1...200).map { "Unable to convert memory limit \"j\($0)\"" }
        let report = try analyze((warnings + [Self.execd]).joined(separator: "\n"))
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
        #expect(report.findings.first?.severity == .failure)
    }

    /// OutOfMemoryErrors of endless different types used to be kept one entry each, outside every cap.
    @Test func outOfMemoryTypesCountAgainstTheCaps() throws {
        var ledger = FactLedger()
        for i in 0..<(FactLedger.maxFailureEntries + 10) {
            // A type name of letters only: the fold key is the words before any figure.
            let name = String(String(i, radix: 26).unicodeScalars.map { Character(Unicode.Scalar(($0.properties.numericType != nil
                ? $0.value - 48 + 97 + 16 : $0.value))!) })
            let text = "kind\(name) word"
            let fact = Fact(
                payload: .jvmOutOfMemory(what: text), entryID: "t", source: nil, timestamp: nil, platformHint: nil,
                platformReason: nil, evidence: Evidence(input: "t", line: i + 1, text: text))
            ledger.add(fact)
        }
        #expect(ledger.sources.first?.entries.count == FactLedger.maxFailureEntries)
        #expect(ledger.droppedFacts == 10)
    }

    /// A calculator line with unreadable figures came first and its worst case stuck: the real line's arithmetic was lost.
    @Test func aLineWithoutFiguresGivesWayToOneWith() throws {
        let garbage = "fixed memory regions require 99999999999999999999K which is greater than 99999999999999999999K "
            + "available for allocation: -Xss1M * 250 threads"
        let report = try analyze(garbage + "\n" + Self.fl)
        let calc = try #require(report.findings.first?.calculator)
        #expect(report.findings.first?.occurrences == 2)
        #expect(calc.availableBytes == 616_300 * 1024)
        // 10M + 123,272,000 B of metaspace (18,840 classes) + 240M + 250 × 1M, as the calculator computed it.
        #expect(calc.requiredBytes == Int64(647_560_000))
    }

    struct ClipCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var limit: Int
        var expected: String
        var testDescription: String { name }
    }

    static let clipCases: [ClipCase] = [
        ClipCase(name: "short text is untouched", text: "a b c", limit: 10, expected: "a b c"),
        ClipCase(name: "cuts between words", text: "aaaa bbbb cccc dddd eeee ffff", limit: 20, expected: "aaaa bbbb … ffff"),
        ClipCase(name: "a word across the cut is dropped whole",
                 text: "head postgres://u:pw@h/x " + String(repeating: "z ", count: 20), limit: 20, expected: "head … z z "),
        ClipCase(name: "combining marks count as scalars",
                 text: "a" + String(repeating: "\u{301}", count: 50) + " b", limit: 20, expected: " … b"),
    ]

    @Test(arguments: clipCases)
    func clipping(_ c: ClipCase) {
        #expect(FactExtractor.clipped(c.text, to: c.limit) == c.expected)
    }

    /// The tester's reproducer: secrets near the 300-character cut of a launcher's cause leaked in every format.
    @Test func secretsNearTheClipAreStillRedacted() throws {
        let prefix = "ERROR: failed to launch: determine start command: "
        let lines = [
            "[pod/a/c] " + prefix + String(repeating: "x", count: 175) + " postgres://admin:S3cretPassw0rd@db.example.com/x "
                + String(repeating: "y", count: 200),
            "[pod/b/c] " + prefix + String(repeating: "x", count: 300)
                + " postgres://admin:S3cretPassw0rdVeryLong@db.example.com/x " + String(repeating: "y", count: 34),
            "[pod/c/c] " + prefix + String(repeating: "x", count: 180) + " AKIAIOSFODNN7EXAMPLE " + String(repeating: "y", count: 200),
        ]
        let report = try Redactor().redact(try analyze(lines.joined(separator: "\n")))
        #expect(report.findings.count == 3)
        for reporter in [TextReporter(color: false), JSONReporter(), MarkdownReporter(), HTMLReporter()] as [any Reporter] {
            let out = reporter.render(report)
            #expect(!out.contains("S3cr"))
            #expect(!out.contains("AKIAIOSFODNN"))
        }
    }

    /// Payloads of base64+gzip nested in a JSON document: a 64 KB file once took ten minutes to inflate. Past the
    /// input's budget they are skipped and reported once; the events before them still count.
    @Test func nestedPayloadsHaveAnInflationBudget() throws {
        let dir = try makeTemporaryDirectory("nested")
        defer { try? FileManager.default.removeItem(at: dir) }
        let payload = dir.appendingPathComponent("payload.b64")
        // 17 MiB of spaces: past the 16 MiB a single payload may inflate to, so each one costs the budget 16 MiB.
        try shell("head -c 17825792 /dev/zero | tr '\\0' ' ' | gzip -c | base64 -w0 > \(payload.path)")
        let b64 = try String(contentsOf: payload, encoding: .utf8)
        let event = #"{"logStreamName":"ecs/api/1","timestamp":1686671504000,"message":"\#(Self.fl)","eventId":"1"}"#
        let text = "[" + ([event] + Array(repeating: #"{"Data":""# + b64 + #""}"#, count: 8)).joined(separator: ",") + "]\n"
        let report = try analyze(text, name: "nested.json")
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
        let error = try #require(report.inputErrors.first)
        #expect(error.detail?.contains("nested gzip payloads from line 1 on were skipped") == true)
    }

    /// describe-tasks containers are held until their task closes: only those that can be reported are kept.
    @Test func manyHealthyContainersDoNotHideTheKilledOne() throws {
        let healthy = Array(repeating: #"{"name":"side","exitCode":0,"lastStatus":"STOPPED"}"#, count: 5_000)
        let killed = #"{"name":"app","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage","memory":512}"#
        let text = #"{"tasks":[{"taskArn":"arn:aws:ecs:eu-west-1:123456789012:task/c/abc","launchType":"FARGATE","memory":"1024","#
            + #""containers":["# + (healthy + [killed]).joined(separator: ",") + "]}]}\n"
        let report = try analyze(text, name: "tasks.json")
        let finding = try #require(report.findings.first)
        #expect(report.findings.map(\.kind) == [.containerOOMKilled])
        #expect(finding.memoryLimitBytes == 512 << 20)
    }
}
