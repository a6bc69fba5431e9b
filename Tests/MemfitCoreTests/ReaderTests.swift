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

    @Test func capsLongLinesAndCountsThem() throws {
        let long = [UInt8](repeating: 0x41, count: 5000)
        let (out, stats) = try lines(long + [0x0A] + Array("next".utf8), max: 1000)
        #expect(out.count == 2)
        #expect(out[0].utf8.count == 1000)
        #expect(out[1] == "next")
        #expect(stats.cappedLines == 1)
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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memfit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try String(decoding: Fixtures.data("p01-seed-console-paste.txt"), as: UTF8.self)
        let plain = dir.appendingPathComponent("seed.txt")
        try Data(seed.utf8).write(to: plain)
        // Two gzip members back to back, and no .gz in the name: the magic bytes decide.
        let gz = dir.appendingPathComponent("export-000000")
        try shell("gzip -c \(plain.path) > \(gz.path) && gzip -c \(plain.path) >> \(gz.path)")
        let report = try Analyzer().analyze(paths: [gz.path], options: DiagnosisOptions())
        #expect(report.inputs.first?.format == "gzip")
        #expect(report.inputs.first?.records == 10)
        #expect(report.findings.first?.kind == .calculatorFailure)
        #expect(report.findings.first?.occurrences == 2)
        #expect(report.inputErrors.isEmpty)
    }

    @Test func truncatedGzipIsReportedAndWhatWasReadStillCounts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memfit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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

    func shell(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
