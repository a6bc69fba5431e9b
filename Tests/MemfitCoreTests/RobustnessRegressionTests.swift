import Foundation
import Testing

@testable import MemfitCore

/// Inputs a tester found crashing or misleading the release binary: each case here trapped, hung or lost a finding.
@Suite struct TimestampOverflowTests {
    /// Figures past Int's range, or dates and times that do not exist, are not timestamps (they trapped: SIGILL).
    @Test(arguments: [
        "1/1/9223372036854775807, 1:00:00 PM", "1/1/999999999999999, 1:00:00 PM", "1/1/999999999999999,1:00:00,PM",
        "6/13/2023, 4:51:44 PM GMT+999999999999999", "6/13/2023, 4:51:44 PM GMT+99999999999999999999",
        "6/13/2023, 4:51:44 PM GMT+1:999999999999999", "13/1/2023, 1:00:00 PM", "2/30/2023, 1:00:00 PM",
        "6/13/2023, 13:00:00 PM", "6/13/2023, 0:00:00 AM", "6/13/0, 1:00:00 PM", "2023-13-01T00:00:00Z",
        "9999-99-99T00:00:00Z", "2023-02-30T00:00:00Z", "2023-06-13T25:61:61Z", "2023-06-13T15:00:00+99:00",
        "0000-01-01T00:00:00Z", "2023-00-10T00:00:00Z",
    ])
    func unreadableTimestampsAreNil(_ text: String) {
        #expect(LogTimestamp.milliseconds(text) == nil)
    }

    /// The extremes of Int64 format without trapping (Java's Instant gives the same dates).
    @Test(arguments: [
        (Int64.min, "-292275055-05-16T16:47:04.192Z"), (Int64.max, "292278994-08-17T07:12:55.807Z"),
        (-1, "1969-12-31T23:59:59.999Z"), (0, "1970-01-01T00:00:00.000Z"),
    ])
    func iso8601OfAnyInstant(_ ms: Int64, _ iso: String) {
        #expect(LogTimestamp.iso8601(ms) == iso)
    }

    /// The tester's inputs (each trapped): the unreadable timestamp is ignored, the failure is still found.
    @Test(arguments: [
        ("ts.json", #"{"events":[{"logStreamName":"s","timestamp":"1/1/9223372036854775807, 1:00:00 PM","message":"\#(TimestampOverflowTests.fl)","eventId":"1"}]}"#),
        ("d.json", #"{"log":"\#(TimestampOverflowTests.fl)\n","stream":"stdout","time":"1/1/999999999999999, 1:00:00 PM"}"#),
        ("i.csv", "@timestamp,@message\n\"1/1/999999999999999, 1:00:00 PM\",\"\(TimestampOverflowTests.fl)\"\n"),
        ("c.log", "1/1/999999999999999,1:00:00,PM stdout F \(TimestampOverflowTests.fl)\n"),
    ])
    func overflowingTimestampsInInputsAreIgnored(_ name: String, _ text: String) throws {
        let report = try analyze(text + "\n", name: name)
        let finding = try #require(report.findings.first)
        #expect(finding.calculator?.availableBytes == Int64(616_300 * 1024))
        #expect(finding.occurrences == 1)
    }

    /// Durations that overflow or reach back before year 1, and dates that do not exist, are not instants.
    @Test(arguments: [
        "100000000000000d", "9223372036854775807m", "99999999999999999999h", "3000000000d", "2023-13-01", "9999-99-99",
        "2023-02-30", "2023-06-13T25:61:61Z", "-5d", "d",
    ])
    func impossibleWindowsAreNil(_ text: String) {
        #expect(TimeWindow.instant(text, now: 1_686_671_504_123) == nil)
    }

    @Test(arguments: [("24h", Int64(1_000_000_000_000 - 86_400_000)), ("2023-06-13", 1_686_614_400_000), ("0d", 1_000_000_000_000)])
    func possibleWindowsRead(_ text: String, _ ms: Int64) {
        #expect(TimeWindow.instant(text, now: 1_000_000_000_000) == ms)
    }

    static let fl = HostileInputTests.fl
}

@Suite struct TimeWindowOptionTests {
    /// A date that does not exist was accepted (`--since 2023-13-01` filtered the failure out and exited 0).
    @Test(arguments: [
        ("--since", "2023-13-01"), ("--since", "9999-99-99"), ("--until", "2023-02-30"), ("--since", "2023-06-13T25:61:61Z"),
        ("--since", "100000000000000d"), ("--until", "3000000000d"),
    ])
    func impossibleDatesAreUsageErrors(_ option: String, _ value: String) throws {
        let result = try runMemfit(["scan", option, value, Fixtures.url("p09-no-limit-1G.log").path])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("memfit: \(option): '\(value)' is not a real date"), "\(result.stderr)")
    }

    /// A window that ends before it starts was accepted, and quietly filtered every timestamped line out.
    @Test func sinceAfterUntilIsAUsageError() throws {
        let result = try runMemfit(["scan", "--since", "2024-01-01", "--until", "2023-01-01", Fixtures.url("p09-no-limit-1G.log").path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--since is later than --until"), "\(result.stderr)")
    }
}

@Suite struct EventIDDedupTests {
    static let calculating = "Calculating JVM memory based on 616300K available memory"
    static let fl = HostileInputTests.fl

    /// One id over two different lines is two events: the failure under a reused id was dropped as a repeat.
    /// Where the id is not a CloudWatch event id (a request `id`), even the same line twice is two lines.
    @Test(arguments: [
        ("req.jsonl", #"{"id":"req-1","message":"\#(calculating)"}"# + "\n" + #"{"id":"req-1","message":"\#(fl)"}"#, 1),
        ("ev.jsonl", #"{"eventId":"1","message":"\#(calculating)"}"# + "\n" + #"{"eventId":"1","message":"\#(fl)"}"#, 1),
        ("ev.json", #"{"events":[{"logStreamName":"s","eventId":"1","message":"\#(calculating)"},"#
            + #"{"logStreamName":"s","eventId":"1","message":"\#(fl)"}]}"#, 1),
        ("req2.jsonl", #"{"id":"req-1","message":"\#(fl)"}"# + "\n" + #"{"id":"req-1","message":"\#(fl)"}"#, 2),
        ("same.json", #"{"events":[{"logStreamName":"s","eventId":"1","message":"\#(fl)"},"#
            + #"{"logStreamName":"s","eventId":"1","message":"\#(fl)"}]}"#, 1),
        ("sub.json", #"{"logGroup":"g","logStream":"s","logEvents":[{"id":"1","message":"\#(calculating)"},"#
            + #"{"id":"1","message":"\#(fl)"},{"id":"1","message":"\#(fl)"}]}"#, 1),
    ])
    func aReusedIDWithOtherTextIsKept(_ name: String, _ text: String, _ occurrences: Int) throws {
        let report = try analyze(text + "\n", name: name)
        let finding = try #require(report.findings.first { $0.calculator?.availableBytes == Int64(616_300 * 1024) })
        #expect(finding.occurrences == occurrences)
    }

    /// `--output text`: the same eventId on another line is another event.
    @Test func textOutputKeysOnIDAndMessage() throws {
        let id = String(repeating: "3", count: 56)
        let text = "EVENTS\t\(id)\t1686671505000\tstream\t\(Self.calculating)\t1686671504123\n"
            + "EVENTS\t\(id)\t1686671505000\tstream\t\(Self.fl)\t1686671504124\n"
        let finding = try #require(try analyze(text, name: "t.txt").findings.first)
        #expect(finding.calculator?.availableBytes == Int64(616_300 * 1024))
        #expect(finding.occurrences == 1)
    }
}

@Suite struct RulesFileSizeTests {
    /// `JSONNode.parse` copied the open array on every append: 100,000 elements took over a minute.
    @Test(arguments: [100_000, 300_000])
    func bigArraysParseInLinearTime(_ count: Int) throws {
        let text = "[" + Array(repeating: "0", count: count).joined(separator: ",") + "]"
        let start = ContinuousClock.now
        guard case .array(let items) = try JSONNode.parse(Array(text.utf8)) else {
            Issue.record("not an array")
            return
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(items.count == count)
        #expect(throws: RulesError(file: "r.json", message: "rule 1 is not an object")) {
            try RuleFile.parse(Array(text.utf8), file: "r.json")
        }
    }

    @Test func nestedMembersKeepTheirOrderAndKeys() throws {
        let node = try JSONNode.parse(Array(#"{"a": [1, {"b": "x", "c": [true, null]}], "d": "y"}"#.utf8))
        guard case .object(let fields) = node, fields.map(\.0) == ["a", "d"], case .array(let a) = fields[0].1, a.count == 2,
              case .number("1") = a[0], case .object(let inner) = a[1], inner.map(\.0) == ["b", "c"],
              case .array(let c) = inner[1].1, c.count == 2, case .bool(true) = c[0], case .null = c[1],
              case .string("y") = fields[1].1
        else {
            Issue.record("\(node)")
            return
        }
    }

    /// 100,000 samples of one rule took half a minute to check; past 100 the file is refused, at once.
    @Test(arguments: [(100, nil), (101, "has 101 samples; at most 100"), (100_000, "has 100000 samples; at most 100")])
    func samplesAreCapped(_ count: Int, _ problem: String?) throws {
        let samples = Array(repeating: "\"xx abc yy\"", count: count).joined(separator: ",")
        let json = #"{"rules": [{"id": "r", "pattern": "abc", "kind": "x", "severity": "info", "samples": [\#(samples)]}]}"#
        let start = ContinuousClock.now
        do {
            let rules = try RuleFile.parse(Array(json.utf8), file: "s.json")
            #expect(problem == nil)
            #expect(rules.first?.samples.count == count)
            let user = try UserRules(rules, file: "s.json")
            #expect(user.checkSamples().isEmpty)
            #expect(user.backtrackingWarnings().isEmpty)
        } catch {
            #expect(error == RulesError(file: "s.json", ruleID: "r", message: (problem ?? "") + " (a few typical lines are enough)"))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}

@Suite struct BuildLogSizeTests {
    func parse(_ text: String, name: String) throws -> BuildLog {
        var source = BytesSource(Array(text.utf8))
        return try BuildLogParser().parse(&source, name: name)
    }

    /// 80,000 buildpacks took 23 s (a linear search per line); now at most 10,000 are kept, in the order first seen,
    /// with a later version of a kept one still recorded, and what was left out said in the notes.
    @Test func distinctBuildpacksAndRowsAreCappedInOrder() throws {
        var lines = ["===> DETECTING"]
        lines += (0..<80_000).map { "[detector] paketo-buildpacks/bp\($0)   1.\($0).0" }
        lines.append("[detector] paketo-buildpacks/bp5   9.9.9")
        lines += (0..<10_002).map { "$BPL_X\($0)  v\($0)  what it does" }
        lines.append("$BPL_X7  later  ignored")
        let start = ContinuousClock.now
        let log = try parse(lines.joined(separator: "\n") + "\n", name: "big.log")
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(log.buildpacks.count == 10_000)
        #expect(log.buildpacks.first.map { "\($0.id)@\($0.version)" } == "paketo-buildpacks/bp0@1.0.0")
        #expect(log.buildpacks.last.map { "\($0.id)@\($0.version)" } == "paketo-buildpacks/bp9999@1.9999.0")
        #expect(log.buildpacks[5].version == "9.9.9")
        #expect(log.configuration.count == 10_000)
        #expect(log.configuration[7].value == "v7")
        #expect(log.notes == [
            "big.log: more than 10000 buildpacks; only the first 10000 are compared.",
            "big.log: more than 10000 configuration rows; only the first 10000 are compared.",
        ])

        let other = try parse("===> DETECTING\n[detector] paketo-buildpacks/bp1   2.0.0\n$BPL_X1  v9\n", name: "small.log")
        let diff = BuildDiff(passing: other, failing: log)
        #expect(diff.changed == [BuildDiff.Change(id: "paketo-buildpacks/bp1", from: "2.0.0", to: "1.1.0")])
        #expect(diff.added.count == 9_999)
        #expect(diff.added.prefix(2).map(\.id) == ["paketo-buildpacks/bp0", "paketo-buildpacks/bp2"])
        #expect(diff.components.prefix(3).map(\.id) == ["$BPL_X1", "$BPL_X0", "$BPL_X2"])
        #expect(diff.notes.prefix(2) == log.notes[...])
    }
}

@Suite struct StandardInputOnceTests {
    @Test(arguments: [
        (["-", "-"], ["-"], true), (["-", "a.log", "-", "a.log"], ["-", "a.log"], true), (["-"], ["-"], false),
        (["a.log", "b.log"], ["a.log", "b.log"], false),
    ])
    func stdinIsExpandedOnce(_ paths: [String], _ files: [String], _ repeated: Bool) {
        #expect(InputFiles().expand(paths).files == files)
        #expect(InputFiles.repeatsStandardInput(paths) == repeated)
    }

    /// `scan -j 2 - -` read standard input from two threads: the output changed from run to run.
    @Test(arguments: [["scan", "-j", "2", "-f", "json", "-", "-"], ["analyze", "-f", "json", "-", "-"]])
    func stdinGivenTwiceIsReadOnce(_ args: [String]) throws {
        let text = (0..<2000).map { "line \($0)\n" }.joined() + HostileInputTests.fl + "\n"
        let result = try runMemfit(args, stdin: Data(text.utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("memfit: '-' is given more than once; standard input is read once\n"), "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect(findings.first?["occurrences"] as? Int == 1)
    }
}

@Suite struct OutputErrorTests {
    /// Help, the version and `rules check` exited 0 into /dev/full; every output that cannot be written is exit 74.
    @Test(arguments: [
        ["help"], ["--help"], ["-h"], ["--version"], ["analyze", "--help"], ["scan", "--help"], ["calc", "--help"],
        ["diff", "--help"], ["query", "--help"], ["rules", "--help"], ["help", "calc"], ["help", "rules"], ["help", "analyze"],
        ["rules", "check", "RULES"],
    ])
    func unwritableOutputIsSeventyFour(_ args: [String]) throws {
        let dir = try makeTemporaryDirectory("full")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.json")
        try Data(#"{"rules": [{"id": "r", "pattern": "abc", "kind": "x", "severity": "info", "samples": ["abc"]}]}"#.utf8)
            .write(to: file)
        let arguments = args.map { $0 == "RULES" ? file.path : $0 }
        let ok = try runMemfit(arguments)
        #expect(ok.status == 0)
        let full = try runMemfit(arguments, stdout: FileHandle(forWritingAtPath: "/dev/full"))
        #expect(full.status == 74)
        #expect(full.stderr.contains("could not be written to standard output"), "\(full.stderr)")
    }
}

@Suite struct TerminalHintTests {
    static let hint = "memfit: reading logs from standard input (paste them, then Ctrl-D; memfit --help for usage)"

    @Test(arguments: [([String](), true, hint), ([], false, nil), (["-"], true, nil), (["a.log"], true, nil)])
    func hintOnlyForATerminalWithoutPaths(_ paths: [String], _ terminal: Bool, _ hint: String?) {
        #expect(InputFiles.terminalHint(paths: paths, stdinIsTerminal: terminal) == hint)
    }

    /// `memfit` alone on a terminal waited silently; now it says what it is waiting for, then reads as before.
    @Test func aTerminalOnStdinGetsOneLine() throws {
        var master: Int32 = -1, slave: Int32 = -1
        try #require(openpty(&master, &slave, nil, nil, nil) == 0)
        defer { close(master) }
        let process = Process()
        process.executableURL = Fixtures.memfitBinary
        process.arguments = []
        let err = Pipe()
        process.standardInput = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        // Ctrl-D at the start of a line: end of input (the reader may ask again after the first end, so repeat it).
        let eof: [UInt8] = [0x04]
        for _ in 0..<50 where process.isRunning {
            _ = write(master, eof, 1)
            usleep(100_000)
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(stderr.hasPrefix(Self.hint + "\n"), "\(stderr)")
        #expect(process.terminationStatus == 0)
    }

    @Test func aPipeGetsNone() throws {
        let result = try runMemfit([], stdin: Data("hello\n".utf8))
        #expect(!result.stderr.contains("reading logs from standard input"))
    }
}
