import Foundation
import Testing

@testable import MemfitCore

/// Hostile files and streams (issue 7): each test checks the message, and that a finding in the good part of the
/// same input is still reported.
@Suite struct HostileFilesTests {
    static let fl = "api-1  | " + HostileInputTests.fl

    /// `count` bytes of `fill`, then `tail`, produced on the fly: a huge input without the memory for it.
    struct GeneratedSource: ByteSource {
        var remaining: Int
        let fill: UInt8
        var tail: [UInt8]
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            if remaining > 0 {
                let n = min(remaining, buffer.count)
                buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: fill, count: n)
                remaining -= n
                return n
            }
            let n = min(tail.count, buffer.count)
            buffer.copyBytes(from: tail.prefix(n))
            tail.removeFirst(n)
            return n
        }
    }

    /// Serves `bytes`, then fails as a disk or a vanished network mount does.
    struct FailingSource: ByteSource {
        var bytes: BytesSource
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            let n = try bytes.read(into: buffer)
            if n == 0 { throw InputError(input: "flaky.log", reason: .readFailed, detail: "Input/output error", offset: 4096) }
            return n
        }
    }

    static func scan<S: ByteSource>(_ source: S, name: String) throws -> AnalysisReport {
        let analyzer = try Analyzer()
        var source = source
        var ledger = FactLedger()
        var hints: [String: Platform] = [:]
        let (summary, error) = analyzer.scan(&source, name: name, into: &ledger, hints: &hints)
        return AnalysisReport(
            findings: Diagnoser.diagnose(ledger, options: DiagnosisOptions()), inputs: [summary],
            inputErrors: error.map { [$0] } ?? [], droppedFacts: 0, options: DiagnosisOptions())
    }

    /// A 1 GB line: read in constant memory, capped (head and tail kept), and the line after it still found.
    @Test func aGigabyteWithoutANewline() throws {
        let source = GeneratedSource(remaining: 1 << 30, fill: UInt8(ascii: "x"), tail: Array(("\n" + Self.fl + "\n").utf8))
        let report = try Self.scan(source, name: "huge.log")
        #expect(report.inputs.first?.cappedLines == 1)
        #expect(report.inputs.first?.records == 2)
        #expect(report.findings.first?.evidence.first?.line == 2)
    }

    @Test func aNULFilledFile() throws {
        let source = GeneratedSource(remaining: 8 << 20, fill: 0, tail: Array(("\n" + Self.fl + "\n").utf8))
        let report = try Self.scan(source, name: "nul.log")
        #expect(report.inputErrors.isEmpty)
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    @Test func aReadErrorHalfWay() throws {
        let source = FailingSource(bytes: BytesSource(Array((Self.fl + "\nmore\n").utf8)))
        let report = try Self.scan(source, name: "flaky.log")
        #expect(report.inputErrors.map(\.description) == ["flaky.log: read failed (Input/output error) at byte 4096"])
        #expect(report.inputs.first?.partial == true)
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// A few KB inflating to 80 MB of newlines: with the floor at 64 MiB (1 GiB by default), stopped at 250 times,
    /// reported, the failure before it kept.
    @Test func aGzipBomb() throws {
        let analyzer = try Analyzer()
        analyzer.gzipBombFloor = 64 << 20
        let report = analyzer.analyze(paths: [Fixtures.url("hostile-gzip-bomb.gz").path], options: DiagnosisOptions())
        let error = try #require(report.inputErrors.first)
        #expect(error.reason == .gzipBomb)
        #expect(error.description.contains("more than 250 times: stopped as a likely gzip bomb"))
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// The expansion check itself, with a small floor: a normal log's ratio passes, an extreme one stops.
    @Test(arguments: [(ratio: 20, stops: false), (ratio: 1000, stops: true)])
    func gzipExpansionRatio(ratio: Int, stops: Bool) throws {
        let dir = try makeTemporaryDirectory("ratio")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Random-ish digits compress about 2-3 times, newlines about 1000 times: mix for the wanted ratio.
        let plain = dir.appendingPathComponent("x.log")
        var text = Self.fl + "\n"
        var generator = SplitMix64(seed: 3)
        for _ in 0..<(ratio == 20 ? 40_000 : 0) { text += "req \(generator.next() % 1_000_000) ok\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n" }
        text += String(repeating: "\n", count: 4 << 20)
        try Data(text.utf8).write(to: plain)
        try shell("gzip -9 -c \(plain.path) > \(plain.path).gz")
        var source = GzipSource(base: try FileDescriptorSource.open(plain.path + ".gz"), name: "x.log.gz", bombFloor: 1 << 20)
        defer { source.release() }
        let report = try Self.scan(source, name: "x.log.gz")
        #expect((report.inputErrors.first?.reason == .gzipBomb) == stops)
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// A file that is gone by the time it is read (deleted mid-scan) is an error naming it; the others go on.
    @Test func aFileThatVanishes() throws {
        let dir = try makeTemporaryDirectory("vanish")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("a.log"), gone = dir.appendingPathComponent("b.log")
        try Data((Self.fl + "\n").utf8).write(to: good)
        let report = try ParallelScan(jobs: 2).run(paths: [good.path, gone.path], files: InputFiles(), options: DiagnosisOptions())
        #expect(report.inputErrors.map(\.description) == ["\(gone.path): no such file"])
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// stdin closed before memfit starts: exit 66 with a message, not a crash.
    @Test func stdinClosed() throws {
        let result = try runMemfit(["-c", "exec \"$0\" - <&-", Fixtures.memfitBinary.path], executable: "/bin/sh")
        #expect(result.status == 66)
        #expect(result.stderr.contains("<stdin>: read failed (Bad file descriptor)"))
    }

    /// The writer goes away in the middle of a line: what came is still analysed, the cut line included.
    @Test func stdinClosedInTheMiddleOfALine() throws {
        let result = try runMemfit(["--format", "json", "-"], stdin: Data(Self.fl.utf8))
        #expect(result.status == 1)
        #expect(result.stdout.contains("\"calculator-failure\""))
    }

    /// A tester's findings on memory and lost lines (each once grew without bound or dropped the failure):

    /// A JSON record with more members than memfit keeps: the launch line in a late member is still matched.
    @Test func aJSONRecordWithHundredsOfMembers() throws {
        var fields = (0..<300).map { "\"k\($0)\": \"v\"" }
        fields.append("\"message\": \"\(HostileInputTests.fl)\"")
        let report = try analyze("{\"msg\": \"hi\"}\n{" + fields.joined(separator: ", ") + "}\n", name: "wide.jsonl")
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// OutOfMemoryErrors of one type that differ only in their details fold into one entry.
    @Test func outOfMemoryErrorsOfOneTypeFold() throws {
        let text = (0..<500).map { "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space \($0) \(String(repeating: "Q", count: $0 % 7))\n" }.joined()
        let report = try analyze(text)
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.occurrences == 500)
        #expect(FactLedger.outOfMemoryType("Metaspace") == "metaspace")
        #expect(FactLedger.outOfMemoryType("unable to create native thread: possibly out of memory") == "unable to create native thread:")
    }

    /// Distinct messages over many sources are capped overall, not only per source, and counted.
    @Test func distinctEntriesAreCappedOverAllSources() {
        var ledger = FactLedger()
        let perSource = FactLedger.maxDistinctPerSource, sources = FactLedger.maxDistinctEntries / perSource + 10
        for s in 0..<sources {
            for i in 0..<perSource {
                ledger.add(Fact(
                    payload: .launcherFailed(cause: "cause \(i)"), entryID: "launcher", source: "pod-\(s)", timestamp: nil,
                    platformHint: nil, platformReason: nil, evidence: Evidence(input: "t", line: i, text: "x")))
            }
        }
        let kept = ledger.sources.reduce(0) { $0 + $1.entries.count }
        #expect(kept == FactLedger.maxDistinctEntries)
        #expect(ledger.droppedFacts == sources * perSource - FactLedger.maxDistinctEntries)
    }

    /// Subscription events held for their stream name are bounded in bytes; past that they are matched at once.
    @Test func heldSubscriptionEventsAreBoundedInBytes() throws {
        let big = String(repeating: "y", count: 200_000)
        var events = (0..<90).map { "{\"id\": \"\($0)\", \"message\": \"\(big)\", \"timestamp\": 1686671504123}" }
        events.append("{\"id\": \"f\", \"message\": \"\(HostileInputTests.fl)\", \"timestamp\": 1686671504124}")
        let text = "{\"logEvents\": [" + events.joined(separator: ", ") + "], \"logGroup\": \"/ecs/a\", \"logStream\": \"s\", "
            + "\"messageType\": \"DATA_MESSAGE\"}"
        let report = try analyze(text, name: "sub.json")
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// A failure line cut after its first region: the part of the requirement the line does not list is shown as
    /// such, so the bar says "over by" the shortfall (it said "heap left 606060K" next to "short by 16082K").
    @Test func aFailureLineCutShort() throws {
        let report = try analyze("fixed memory regions require 632382K which is greater than 616300K available for allocation: "
            + "-XX:MaxDirectMemorySize=10M\n")
        let c = try #require(report.findings.first?.calculator)
        #expect(c.regions.unlistedBytes == Int64(632_382 - 10_240) * 1024)
        let text = TextReporter(color: false).render(report)
        #expect(text.contains("over by 16082K") && !text.contains("heap left"))
        #expect(MarkdownReporter().render(report).contains("| Not listed in the line | 622142K |"))
    }

    /// A directory that cannot be listed is an input that could not be read: in the inputs, in the count, and not
    /// "Nothing to report" (a tester saw that with exit 66).
    @Test func aDirectoryThatCannotBeListed() {
        let error = InputError(input: "/srv/logs", reason: .permissionDenied, detail: "directory cannot be listed")
        var scan = InputScan(walkErrors: [error])
        scan.append(InputScan(walkErrors: [InputError(input: "/nonexist", reason: .notFound)]))
        let report = scan.report(options: DiagnosisOptions())
        #expect(report.inputs.map(\.format) == ["unreadable", "unreadable"])
        let text = TextReporter(color: false).render(report)
        #expect(text.hasPrefix("memfit: nothing was read. 2 inputs could not be read (see the errors above)."))
    }
}
