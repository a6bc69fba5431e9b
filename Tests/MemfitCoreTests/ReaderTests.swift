import Foundation
import Testing

@testable import MemfitCore

@Suite struct ReaderTests {
    func lines(_ bytes: [UInt8], max: Int = LineReader.defaultMaxLineBytes) throws -> ([String], LineReader.Stats) {
        var source = BytesSource(bytes)
        var stats = LineReader.Stats()
        var out: [String] = []
        try LineReader(maxLineBytes: max).forEachLine(in: &source, stats: &stats) { line, _, _ in
            out.append(String(decoding: line, as: UTF8.self))
        }
        return (out, stats)
    }

    @Test func splitsLFAndCRLFAndKeepsALastLineWithoutNewline() throws {
        let (out, stats) = try lines(Array("a\r\nb\n\nc".utf8))
        #expect(out == ["a", "b", "", "c"])
        #expect(stats.lines == 4)
    }

    @Test func capsLongLinesKeepingHeadAndTail() throws {
        let long = Array("HEAD".utf8) + [UInt8](repeating: 0x41, count: 5000) + Array("TAIL".utf8)
        let (out, stats) = try lines(long + [0x0A] + Array("next".utf8), max: 1000)
        #expect(out.count == 3)
        #expect(out[0].utf8.count == 500 && out[0].hasPrefix("HEAD"))
        #expect(out[1].utf8.count == 500 && out[1].hasSuffix("TAIL"))
        #expect(out[2] == "next")
        #expect(stats.lines == 2)
        #expect(stats.cappedLines == 1)
    }

    /// Regression: a launch line at the end of a 50 MiB line used to be cut off with the rest of the line.
    @Test func findingAtTheEndOfAHugeLineIsKept() throws {
        let failure = " fixed memory regions require 632382K which is greater than 616300K available for allocation: "
            + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads\n"
        let bytes = [UInt8](repeating: 0x78, count: 50 << 20) + Array(failure.utf8)
        let report = try analyzeBytes(bytes)
        #expect(report.findings.first?.calculator?.availableBytes == Int64(616_300 * 1024))
        #expect(report.inputs.first?.cappedLines == 1)
    }

    /// Random lines of every length around the cap, checked against a plain split.
    @Test(arguments: [2, 7, 64, 1000, 70_000])
    func agreesWithAPlainSplit(_ cap: Int) throws {
        var rng = SplitMix64(seed: UInt64(cap))
        var bytes: [UInt8] = []
        var expected: [[UInt8]] = []
        for _ in 0..<(cap > 1000 ? 40 : 200) {
            let length = Int(rng.next() % UInt64(cap * 3 + 2))
            let line = (0..<length).map { _ in UInt8(0x20 + rng.next() % 90) }
            bytes += line + [0x0A]
            if line.count <= cap { expected.append(line) } else {
                expected.append(Array(line.prefix(cap / 2)))
                expected.append(Array(line.suffix(cap / 2)))
            }
        }
        var source = BytesSource(bytes)
        var stats = LineReader.Stats()
        var got: [[UInt8]] = []
        try LineReader(maxLineBytes: cap).forEachLine(in: &source, stats: &stats) { line, _, _ in got.append(Array(line)) }
        #expect(got == expected)
        #expect(stats.lines == (cap > 1000 ? 40 : 200))
    }

    /// Launch lines deep in a multi-chunk input keep their exact line numbers (the prefilter skips whole blocks).
    @Test func lineNumbersSurviveThePrefilter() throws {
        let failure = "fixed memory regions require 632382K which is greater than 616300K available for allocation: "
            + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"
        var text = ""
        var expected: [Int] = []
        for i in 1...30_000 {
            if i % 7_001 == 0 {
                // A source per failure, so that each is its own finding; CRLF on some.
                text += "svc\(i)-1  | " + failure + (i % 2 == 0 ? "\r\n" : "\n")
                expected.append(i)
            } else {
                text += "2023-06-13T15:51:44.123Z INFO request \(i) served in \(i % 97) ms\n"
            }
        }
        let report = try analyze(text)
        #expect(report.inputs.first?.records == 30_000)
        let lines = report.findings.flatMap { $0.evidence.map(\.line) }.sorted()
        #expect(lines == expected)
    }

    @Test func passesNULBytesThrough() throws {
        let (out, _) = try lines([0x61, 0x00, 0x62, 0x0A])
        #expect(out == ["a\u{0}b"])
    }

    @Test func emptyInputHasNoLines() throws {
        let (out, stats) = try lines([])
        #expect(out.isEmpty && stats.lines == 0)
    }

    @Test func gzipIsSniffedAndStreamedAcrossMembers() throws {
        let dir = try makeTemporaryDirectory("reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try String(decoding: Fixtures.data("p01-seed-console-paste.txt"), as: UTF8.self)
        let plain = dir.appendingPathComponent("seed.txt")
        try Data(seed.utf8).write(to: plain)
        // Two gzip members back to back, and no .gz in the name: the magic bytes decide.
        let gz = dir.appendingPathComponent("export-000000")
        try shell("gzip -c \(plain.path) > \(gz.path) && gzip -c \(plain.path) >> \(gz.path)")
        let report = try Analyzer().analyze(paths: [gz.path], options: DiagnosisOptions())
        #expect(report.inputs.first?.compression == "gzip")
        #expect(report.inputs.first?.records == 10)
        #expect(report.findings.first?.kind == .calculatorFailure)
        #expect(report.findings.first?.occurrences == 2)
        #expect(report.inputErrors.isEmpty)
    }

    @Test func truncatedGzipIsReportedAndWhatWasReadStillCounts() throws {
        let dir = try makeTemporaryDirectory("reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = dir.appendingPathComponent("big.txt")
        let seed = try Fixtures.data("p01-seed-console-paste.txt")
        var content = seed
        for i in 0..<20000 { content.append(contentsOf: Array("filler line \(i) \(UUID().uuidString)\n".utf8)) }
        try content.write(to: big)
        let gz = dir.appendingPathComponent("cut.gz")
        try shell("gzip -c \(big.path) | head -c 200000 > \(gz.path)")
        let report = try Analyzer().analyze(paths: [gz.path], options: DiagnosisOptions())
        #expect(report.inputErrors.first?.reason == .truncatedGzip)
        #expect(report.inputs.first?.partial == true)
        #expect(report.findings.first?.kind == .calculatorFailure)
    }

    @Test func missingFileIsAnErrorAndOtherInputsGoOn() throws {
        let report = try Analyzer().analyze(
            paths: ["/nonexistent/memfit.log", Fixtures.url("p04-kubectl-limit-600M.log").path], options: DiagnosisOptions())
        #expect(report.inputErrors.map(\.reason) == [.notFound])
        #expect(report.inputErrors.first?.description == "/nonexistent/memfit.log: no such file")
        #expect(report.findings.first?.kind == .calculatorFailure)
    }
}

/// A small deterministic generator, so the random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
