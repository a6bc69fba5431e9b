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

    /// A few KB inflating to 80 MB of newlines: stopped past 64 MiB at 250 times, reported, the failure before it kept.
    @Test func aGzipBomb() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("hostile-gzip-bomb.gz").path], options: DiagnosisOptions())
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
}
