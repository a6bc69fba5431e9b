import Foundation
import Synchronization
import Testing

@testable import MemfitCore

@Suite struct ScanTests {
    /// A 200-file tree: failures, near misses and noise, spread over sources and files.
    static func makeTree() throws -> URL {
        let dir = try makeTemporaryDirectory("scan")
        let fm = FileManager.default
        for i in 0..<200 {
            let sub = dir.appendingPathComponent("day-\(i % 7)")
            try fm.createDirectory(at: sub, withIntermediateDirectories: true)
            var text = (0..<50).map { "2023-06-13T15:51:\(String(format: "%02d", $0 % 60)).000Z INFO request \($0) served\n" }.joined()
            if i % 3 == 0 {
                let available = 600_000 + (i * 37) % 20_000
                text += "api-\(i % 5)  | fixed memory regions require 632382K which is greater than \(available)K available for allocation: "
                    + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads\n"
            }
            if i % 11 == 0 { text += String(decoding: try Fixtures.data("p08-success-near-miss.log"), as: UTF8.self) }
            try Data(text.utf8).write(to: sub.appendingPathComponent("log-\(i).txt"))
        }
        return dir
    }

    @Test func outputIsTheSameWhateverTheJobs() throws {
        let dir = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [String] = []
        for jobs in [1, 2, 4] {
            var report = try ParallelScan(jobs: jobs).run(paths: [dir.path], files: InputFiles(), options: DiagnosisOptions())
            report.sourceSummary = true
            outputs.append(TextReporter(color: false).render(report) + JSONReporter().render(report) + MarkdownReporter().render(report))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        // And the same as analysing the tree in one go.
        var serial = try Analyzer().analyze(paths: [dir.path], options: DiagnosisOptions())
        serial.sourceSummary = true
        #expect(TextReporter(color: false).render(serial) + JSONReporter().render(serial) + MarkdownReporter().render(serial) == outputs[0])
    }

    @Test func theCommandLineIsByteIdenticalForOneAndTwoJobs() throws {
        let dir = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = try runMemfit(["scan", "--jobs", "1", "--format", "json", dir.path])
        let two = try runMemfit(["scan", "--jobs", "2", "--format", "json", dir.path])
        #expect(one.status == 1 && two.status == 1)
        #expect(one.stdout == two.stdout)
        let lines = try runMemfit(["scan", "-j", "2", "--format", "jsonl", dir.path]).stdout.split(separator: "\n")
        // Streamed per input: a failure in each of the 67 files with one, a near miss in each of the 19 with one
        // (and one file whose lone available figure reads as a decimal limit).
        let kinds = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["kind"] as? String }
        #expect(kinds.count == lines.count)
        #expect(kinds.filter { $0 == "calculator-failure" }.count == 67)
        #expect(kinds.filter { $0 == "calculator-near-miss" }.count == 19)
    }

    /// `onInput` (what `--format jsonl` streams from) sees each input once, in input order, whatever the jobs,
    /// even when only a few inputs may be read ahead of the first unfinished one.
    @Test(arguments: [1, 3])
    func inputsAreHandedOnInOrder(jobs: Int) throws {
        let dir = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seen = Mutex<[String]>([])
        let report = try ParallelScan(jobs: jobs).run(paths: [dir.path], files: InputFiles(), options: DiagnosisOptions()) { scan in
            seen.withLock { $0 += scan.inputs.map(\.path) }
            return true
        }
        let order = seen.withLock { $0 }
        #expect(order.count == 200)
        #expect(order == report.inputs.map(\.path))
    }

    /// Night one writes a baseline; night two with the same failures reports nothing new; night three with a new
    /// failure (and a worse one) reports just those.
    @Test func baselineRoundTrip() throws {
        let dir = try makeTemporaryDirectory("baseline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fl = HostileInputTests.fl
        let night = dir.appendingPathComponent("night.log")
        let baseline = dir.appendingPathComponent("baseline.json")
        try Data("api-1  | \(fl)\nweb-1  | \(fl)\n".utf8).write(to: night)
        let first = try runMemfit(["scan", "--write-baseline", baseline.path, night.path])
        #expect(first.status == 1)
        let same = try runMemfit(["scan", "--baseline", baseline.path, "--format", "jsonl", night.path])
        #expect(same.status == 0)
        #expect(same.stdout.isEmpty)
        let worse = fl.replacingOccurrences(of: "than 616300K", with: "than 600000K")
        try Data("api-1  | \(worse)\nweb-1  | \(fl)\nnew-1  | \(fl)\n".utf8).write(to: night)
        let third = try runMemfit(["scan", "--baseline", baseline.path, "--format", "jsonl", night.path])
        #expect(third.status == 1)
        let sources = third.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["source"] as? String
        }
        #expect(sources == ["api-1", "new-1"])
        // Not a baseline (a log, or any JSON object): an error like an unreadable input, and nothing is filtered
        // out, so a failure still exits 1 and is shown (it was 66 with no report).
        let empty = dir.appendingPathComponent("empty.json")
        try Data("{}".utf8).write(to: empty)
        for bad in [night, empty] {
            let result = try runMemfit(["scan", "--baseline", bad.path, "--format", "jsonl", night.path])
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(bad.path): invalid content (not a memfit baseline)"))
            #expect(result.stdout.split(separator: "\n").count == 3)
        }
    }

    /// When the stream's output is gone (`onInput` returns false) no further input is read, and the command
    /// says so with exit 74 (a tester saw jsonl into /dev/full exit 1 silently).
    @Test func aFailedStreamStopsTheScan() throws {
        let dir = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = Mutex(0)
        let report = try ParallelScan(jobs: 2).run(paths: [dir.path], files: InputFiles(), options: DiagnosisOptions()) { _ in
            calls.withLock { $0 += 1 }
            return false
        }
        #expect(calls.withLock { $0 } == 1)
        #expect(report.inputs.count < 200)
        let full = try runMemfit(["scan", "--format", "jsonl", dir.path], stdout: FileHandle(forWritingAtPath: "/dev/full"))
        #expect(full.status == 74)
        #expect(full.stderr.contains("the report could not be written"))
    }

    /// Findings without a named source are told apart by their input: a new service failing in a file of its own
    /// is new, even when another file's unnamed failure is in the baseline (they shared one key and hid each other).
    @Test func unnamedSourcesDoNotHideEachOther() throws {
        let dir = try makeTemporaryDirectory("unnamed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let night = dir.appendingPathComponent("night"), baseline = dir.appendingPathComponent("b.json")
        try FileManager.default.createDirectory(at: night, withIntermediateDirectories: true)
        try Data((HostileInputTests.fl + "\n").utf8).write(to: night.appendingPathComponent("orders.txt"))
        #expect(try runMemfit(["scan", "--write-baseline", baseline.path, night.path]).status == 1)
        let other = HostileInputTests.fl.replacingOccurrences(of: "than 616300K", with: "than 700000K")
        try Data((other + "\n").utf8).write(to: night.appendingPathComponent("billing.txt"))
        let second = try runMemfit(["scan", "--baseline", baseline.path, "--format", "jsonl", night.path])
        #expect(second.status == 1)
        #expect(second.stdout.split(separator: "\n").count == 1 && second.stdout.contains("billing.txt"))
    }

    /// The first night has no baseline file yet: every finding is new, tonight's baseline is still written, and
    /// the exit status is the findings' (a tester got 66 and no baseline, so the next night had none either).
    @Test func theFirstNightHasNoBaseline() throws {
        let dir = try makeTemporaryDirectory("first-night")
        defer { try? FileManager.default.removeItem(at: dir) }
        let night = dir.appendingPathComponent("night.log"), tonight = dir.appendingPathComponent("tonight.json")
        try Data("api-1  | \(HostileInputTests.fl)\n".utf8).write(to: night)
        let result = try runMemfit(["scan", "--baseline", dir.appendingPathComponent("none.json").path,
                                    "--write-baseline", tonight.path, "--format", "jsonl", night.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("none.json: no baseline yet, so every finding is new"))
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: tonight.path))
    }

    /// The per-source summary stays within 100 columns, with long sources, kinds and counts, and names a user
    /// rule's own kind.
    @Test func summaryRowsFitAndNameUserKinds() throws {
        var report = try analyze("svc/" + String(repeating: "x", count: 80) + "  | " + HostileInputTests.fl + "\n")
        report.findings[0].occurrences = 1_234_567
        report.findings[0].lastSeen = "2023-06-13T15:51:44.123456789Z"
        report.findings[0].rule = UserRuleHit(ruleID: "r", kind: "a-very-long-user-rule-kind-name", severity: .failure, message: "m")
        let lines = SourceSummary.text(SourceSummary.rows(report))
        #expect(lines.count == 3 && lines[1].hasPrefix("  source ") && lines[1].contains("near"))
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(lines)")
        #expect(lines[2].contains("a-very-long-user-rule…"))
    }

    @Test func timeWindow() throws {
        let text = "2023-06-12T10:00:00.000Z\t\(HostileInputTests.fl)\n2023-06-14T10:00:00.000Z\t"
            + HostileInputTests.fl.replacingOccurrences(of: "than 616300K", with: "than 600000K") + "\n"
        let analyzer = try Analyzer()
        let since = try #require(TimeWindow.instant("2023-06-13", now: 0))
        analyzer.window = TimeWindow(since: since)
        var ledger = FactLedger()
        var hints: [String: Platform] = [:]
        var source = BytesSource(Array(text.utf8))
        _ = analyzer.scan(&source, name: "t", into: &ledger, hints: &hints)
        let report = Diagnoser.diagnose(ledger, options: DiagnosisOptions())
        #expect(report.first?.calculator?.availableBytes == Int64(600_000 * 1024))
        #expect(report.first?.occurrences == 1)
        #expect(TimeWindow.instant("24h", now: 86_400_000) == 0)
        #expect(TimeWindow.instant("7d", now: 7 * 86_400_000) == 0)
        #expect(TimeWindow.instant("yesterday", now: 0) == nil)
    }
}
