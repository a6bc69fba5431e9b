import Foundation
import Testing

@testable import MemfitCore

/// `--rules`: user rules are checked like the built-in catalogue (samples must match), report findings of their
/// own kind, and a bad file is a clear error naming the file and the rule, never a crash.
@Suite struct UserRulesTests {
    static let nativeOOM = #"""
        {"rules": [{"id": "acme-native-oom", "kind": "native-oom", "severity": "failure",
          "pattern": "native allocation of (?<size>\\d+[KMG]) failed in (?<pool>\\w+)", "literal": "native allocation",
          "message": "a native allocation of {size} failed in {pool}", "when": ["size >= 64M"],
          "samples": ["native allocation of 128M failed in arena"]}]}
        """#

    static func rules(_ json: String, file: String = "rules.json") throws(RulesError) -> UserRules {
        try UserRules(try RuleFile.parse(Array(json.utf8), file: file), file: file)
    }

    static func analyzeWithRules(_ text: String, _ rules: UserRules) throws -> AnalysisReport {
        try Analyzer(userRules: rules).analyze(bytes: Array(text.utf8), name: "app.log", options: DiagnosisOptions())
    }

    @Test func aRuleReportsAFindingOfItsOwnKind() throws {
        let rules = try Self.rules(Self.nativeOOM)
        #expect(rules.checkSamples().isEmpty)
        let text = "boot\nnative allocation of 128M failed in arena\nnative allocation of 12M failed in arena\n"
            + "native allocation of 1G failed in heap\n" + HostileInputTests.fl + "\n"
        let report = try Self.analyzeWithRules(text, rules)
        let finding = try #require(report.findings.first { $0.kind == .userRule })
        #expect(finding.kindName == "native-oom")
        #expect(finding.severity == .failure)
        #expect(finding.occurrences == 2)  // 12M fails the condition
        #expect(finding.detail == "a native allocation of 128M failed in arena")
        #expect(finding.evidence.first?.line == 2)
        // The built-in catalogue still works beside it.
        #expect(report.findings.contains { $0.kind == .calculatorFailure })
        let json = JSONReporter().render(report)
        #expect(json.contains(#""kind": "native-oom""#) && json.contains(#""rule": "acme-native-oom""#))
    }

    /// Without a literal, the prefilter passes every line so the rule still sees them.
    @Test func aRuleWithoutALiteralSeesEveryLine() throws {
        let rules = try Self.rules(#"{"rules":[{"id":"r","kind":"k","severity":"warning","pattern":"^quux \\d+$","samples":["quux 1"]}]}"#)
        #expect(rules.prefilterLiterals == nil)
        let report = try Self.analyzeWithRules((1...5000).map { "line \($0)\n" }.joined() + "quux 42\n", rules)
        #expect(report.findings.first?.kindName == "k")
        #expect(report.findings.first?.evidence.first?.line == 5001)
    }

    struct Condition: Sendable { var text: String; var value: String; var holds: Bool }
    static let conditions: [Condition] = [
        Condition(text: "threads > 200", value: "250", holds: true),
        Condition(text: "threads>200", value: "200", holds: false),
        Condition(text: "threads >= 200", value: "200", holds: true),
        Condition(text: "heap < 64M", value: "65535K", holds: true),
        Condition(text: "heap < 64M", value: "64M", holds: false),
        Condition(text: "heap <= 1G", value: "1024M", holds: true),
        Condition(text: "n == 3", value: "3", holds: true),
        Condition(text: "n != 3", value: "3", holds: false),
        Condition(text: "n > 3", value: "many", holds: false),
    ]

    @Test(arguments: conditions)
    func conditionsCompareNumbersAndSizes(_ c: Condition) throws {
        let condition = try #require(RuleCondition(c.text))
        #expect(condition.holds(for: c.value) == c.holds, "\(c.text) for \(c.value)")
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var json: String
        var message: String
        var testDescription: String { name }
    }

    static let rule = #""id":"r1","kind":"k","severity":"warning","pattern":"a(?<n>\\d+)","samples":["a1"]"#
    static let badFiles: [BadFile] = [
        BadFile(name: "not JSON", json: "{rules: [", message: "rules.json: not valid JSON: "),
        BadFile(name: "wrong top level", json: #"{"rule": []}"#, message: #"rules.json: expected {"rules": [...]} or an array of rules"#),
        BadFile(name: "no id", json: #"[{"kind":"k"}]"#, message: #"rules.json: rule 1 has no "id" string"#),
        BadFile(name: "unknown field", json: "[{\(rule),\"colour\":1}]", message: #"rules.json: rule 'r1': unknown field "colour""#),
        BadFile(name: "duplicate id", json: "[{\(rule)},{\(rule)}]", message: "rules.json: rule 'r1': the id is used twice"),
        BadFile(name: "bad kind", json: "[{\(rule.replacingOccurrences(of: #""k""#, with: #""Native OOM""#))}]",
                message: "rules.json: rule 'r1': needs a \"kind\" of lowercase words joined by '-', e.g. \"native-oom\""),
        BadFile(name: "bad severity", json: "[{\(rule.replacingOccurrences(of: "warning", with: "fatal"))}]",
                message: #"rules.json: rule 'r1': needs a "severity": info, warning or failure"#),
        BadFile(name: "no samples", json: "[{\(rule.replacingOccurrences(of: #"["a1"]"#, with: "[]"))}]",
                message: #"rules.json: rule 'r1': needs "samples": at least one line the pattern must match"#),
        BadFile(name: "pattern does not compile", json: "[{\(rule.replacingOccurrences(of: "a(?<n>", with: "a(?<n>("))}]",
                message: "rules.json: rule 'r1': the pattern does not compile: missing closing parenthesis (pattern offset 11)"),
        BadFile(name: "placeholder without a group", json: "[{\(rule),\"message\":\"{size}\"}]",
                message: "rules.json: rule 'r1': the message uses {size} but the pattern has no group named size"),
        BadFile(name: "condition without a group", json: "[{\(rule),\"when\":[\"size > 1\"]}]",
                message: "rules.json: rule 'r1': \"when\" uses size but the pattern has no group named size"),
        BadFile(name: "condition not understood", json: "[{\(rule),\"when\":[\"n is big\"]}]",
                message: "rules.json: rule 'r1': \"when\" must be an array of strings like \"threads > 200\" or \"heap < 64M\""),
    ]

    @Test(arguments: badFiles)
    func badFilesAreClearErrors(_ bad: BadFile) {
        #expect(throws: RulesError.self) { try Self.rules(bad.json) }
        do {
            _ = try Self.rules(bad.json)
        } catch {
            #expect(error.description.hasPrefix(bad.message), "\(error.description)")
        }
    }

    /// Ids are unique across the built-in catalogue too, so matchLimitHits and findings name one rule.
    @Test func anIdOfABuiltInRuleIsRefused() throws {
        let dir = try makeTemporaryDirectory("builtin-id")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.json")
        try Data("[{\(Self.rule.replacingOccurrences(of: "r1", with: "libjvm-regions-require"))}]".utf8).write(to: file)
        #expect(throws: RulesError.self) { try UserRules.load(paths: [file.path]) }
        do {
            _ = try UserRules.load(paths: [file.path])
        } catch {
            #expect(error.description == "\(file.path): rule 'libjvm-regions-require': the id is a built-in rule's (memfit rules list)")
        }
    }

    @Test func samplesThatDoNotMatchAreReported() throws {
        let rules = try Self.rules("[{\(Self.rule.replacingOccurrences(of: #"["a1"]"#, with: #"["a1","b2"]"#)),\"literal\":\"a\"}]")
        #expect(rules.checkSamples().map(\.description) == [
            "rules.json: rule 'r1': sample 2 does not match the pattern and conditions",
            "rules.json: rule 'r1': sample 2 does not hold the literal \"a\"",
        ])
    }

    /// A catastrophic user pattern is stopped by the PCRE2 limits, reported once per line with the rule id, and the
    /// rest of the input is still analysed.
    @Test func aPathologicalPatternIsStoppedAndScanningGoesOn() throws {
        let rules = try Self.rules(#"[{"id":"slow","kind":"k","severity":"info","pattern":"^(a+)+$","samples":["aaa"]}]"#)
        let evil = String(repeating: "a", count: 5_000) + "b"
        let start = ContinuousClock.now
        let report = try Self.analyzeWithRules(evil + "\n" + HostileInputTests.fl + "\n", rules)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(report.inputs.first?.matchLimitHits == ["slow at line 1"])
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
    }

    /// rules check warns about a pattern that backtracks catastrophically on lines made of its own samples.
    @Test func catastrophicPatternsAreWarnedAbout() throws {
        let slow = try Self.rules(#"[{"id":"slow","kind":"k","severity":"info","pattern":"^(a|aa)+$","samples":["aaa"]}]"#)
        #expect(slow.backtrackingWarnings().map(\.ruleID) == ["slow"])
        #expect(try Self.rules(Self.nativeOOM).backtrackingWarnings().isEmpty)
    }

    /// Past 20 listed hits the rest are counted, not dropped from the report.
    @Test func manyLimitHitsAreCounted() throws {
        let rules = try Self.rules(#"[{"id":"slow","kind":"k","severity":"info","pattern":"^(a+)+$","samples":["aaa"]}]"#)
        let evil = String(repeating: "a", count: 3_000) + "b\n"
        let report = try Self.analyzeWithRules(String(repeating: evil, count: 25), rules)
        let hits = try #require(report.inputs.first?.matchLimitHits)
        #expect(hits.count == 21 && hits.first == "slow at line 1" && hits.last == "and 5 more")
        #expect(TextReporter(color: false).render(report).contains("and 5 more lines where a pattern hit the match limit"))
    }

    /// The built-in catalogue is expressible as a rules file, and rules/builtin.json is exactly that file.
    @Test func theBuiltInCatalogueIsARulesFile() throws {
        let json = BuiltInRules.json(BuiltInRules.definitions())
        let rules = try Self.rules(json, file: "builtin.json")
        #expect(rules.rules.count == PatternCatalogue.builtIn.count)
        #expect(rules.checkSamples().isEmpty)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("rules/builtin.json")
        #expect(try String(contentsOf: shipped, encoding: .utf8) == json, "regenerate: memfit rules list --format json > rules/builtin.json")
    }

    @Test func theCommandLine() throws {
        let dir = try makeTemporaryDirectory("rules")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json"), bad = dir.appendingPathComponent("bad.json")
        try Data(Self.nativeOOM.utf8).write(to: good)
        try Data(#"{"rules":[{"id":"x","kind":"k","severity":"info","pattern":"a(b","samples":["ab"]}]}"#.utf8).write(to: bad)
        let check = try runMemfit(["rules", "check", good.path])
        #expect(check.status == 0 && check.stdout == "\(good.path): 1 rule, 1 sample, all match\n")
        let failing = try runMemfit(["rules", "check", bad.path])
        #expect(failing.status == 65)
        #expect(failing.stderr.contains("\(bad.path): rule 'x': the pattern does not compile: missing closing parenthesis (pattern offset 3)"))
        let analyze = try runMemfit(["--rules", bad.path, "-"], stdin: Data("x\n".utf8))
        #expect(analyze.status == 65)
        // A rules file that cannot be read is 66, like any input; one whose samples do not match is 65 for
        // analyze too, not only for rules check.
        let missing = try runMemfit(["--rules", dir.appendingPathComponent("none.json").path, "-"], stdin: Data("x\n".utf8))
        #expect(missing.status == 66 && missing.stderr.contains("none.json: no such file"))
        #expect(try runMemfit(["rules", "check", dir.appendingPathComponent("none.json").path]).status == 66)
        let badSample = dir.appendingPathComponent("sample.json")
        try Data(#"[{"id":"s","kind":"k","severity":"info","pattern":"^a$","samples":["b"]}]"#.utf8).write(to: badSample)
        let analyzeBadSample = try runMemfit(["--rules", badSample.path, "-"], stdin: Data("a\n".utf8))
        #expect(analyzeBadSample.status == 65)
        #expect(analyzeBadSample.stderr.contains("rule 's': sample 1 does not match the pattern and conditions"))
        let scan = try runMemfit(["scan", "--rules", good.path, "--format", "jsonl", "-"],
                                 stdin: Data("native allocation of 1G failed in heap\n".utf8))
        #expect(scan.status == 1 && scan.stdout.contains(#""kind":"native-oom""#))
        let builtIn = try runMemfit(["rules", "check", SamplesTests.packageRoot.appendingPathComponent("rules/builtin.json").path])
        #expect(builtIn.status == 0)
        let list = try runMemfit(["rules", "list"])
        #expect(list.status == 0 && list.stdout.hasPrefix("\(PatternCatalogue.builtIn.count) built-in rules"))
    }
}
