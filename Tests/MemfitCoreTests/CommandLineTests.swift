import Foundation
import Testing

@testable import MemfitCore

/// Runs the built binary: exit codes, stdin, formats, usage errors.
@Suite struct CommandLineTests {
    static let statuses: [(String, Int32)] = [
        ("p01-seed-console-paste.txt", 1), ("p08-success-near-miss.log", 2), ("p09-no-limit-1G.log", 2),
        ("p12-exec-format-error.log", 1),
    ]

    @Test(arguments: statuses)
    func exitStatusFollowsTheWorstFinding(_ file: String, _ status: Int32) throws {
        let result = try runMemfit([Fixtures.url(file).path])
        #expect(result.status == status)
    }

    @Test func seedFromStdinSaysWhyAndWhatToDo() throws {
        let result = try runMemfit([], stdin: try Fixtures.data("p01-seed-console-paste.txt"))
        #expect(result.status == 1)
        for phrase in ["632382K", "616300K", "16082K (15.7 MiB)", "direct 10M", "metaspace 120382K", "code cache 240M",
                       "250 threads × 1M", "18,840 loaded classes (derived", "No visible memory limit",
                       "ECS Fargate task memory 1024 MiB (valid with 0.25 vCPU)", "container-level `memory` of 1024 MiB"] {
            #expect(result.stdout.contains(phrase), "missing: \(phrase)")
        }
    }

    /// Colour: never on a pipe by default, never with NO_COLOR, always when the command line says so (a flag beats NO_COLOR).
    @Test func colourOnlyWhenAskedFor() throws {
        let path = Fixtures.url("p01-seed-console-paste.txt").path
        #expect(try runMemfit([path]).stdout.contains("\u{1B}[") == false)
        #expect(try runMemfit(["--color=always", path], environment: [:]).stdout.contains("\u{1B}[1;31m"))
        #expect(try runMemfit(["--color=always", path], environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}[1;31m"))
        #expect(try runMemfit(["--color=never", path], environment: [:]).stdout.contains("\u{1B}[") == false)
    }

    @Test func emptyInputSaysSoAndExitsZero() throws {
        let result = try runMemfit([], stdin: Data())
        #expect(result.status == 0)
        #expect(result.stdout.contains("Nothing to report"))
    }

    @Test func missingFileIsOneLineAndTheOthersAreAnalysed() throws {
        let result = try runMemfit(["/nonexistent/x.log", Fixtures.url("p04-kubectl-limit-600M.log").path])
        #expect(result.status == 1)
        #expect(result.stderr == "memfit: /nonexistent/x.log: no such file\n")
        #expect(result.stdout.contains("calculator-failure"))
    }

    @Test func unreadableInputAloneIsSixtySix() throws {
        let result = try runMemfit(["/nonexistent/x.log", Fixtures.url("p09-no-limit-1G.log").path])
        #expect(result.status == 66)
    }

    @Test(arguments: [["--format", "yaml"], ["--bogus"], ["--min-heap", "lots"], ["calc"], ["calc", "--total-memory", "1G"],
                      ["calc", "--total-memory", "1G", "--loaded-class-count", "-3"], ["--platform", "mars"]])
    func usageErrorsAreSixtyFour(_ args: [String]) throws {
        let result = try runMemfit(args, stdin: Data())
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("memfit: "))
    }

    @Test(arguments: [["--help"], ["analyze", "--help"], ["calc", "--help"], ["help", "calc"], ["--version"]])
    func helpForEveryCommand(_ args: [String]) throws {
        let result = try runMemfit(args)
        #expect(result.status == 0)
        #expect(!result.stdout.isEmpty)
    }

    @Test func jsonFollowsTheContract() throws {
        let result = try runMemfit(["--format", "json", Fixtures.url("p01-seed-console-paste.txt").path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["schemaVersion"] as? Int == 1)
        let finding = try #require((json["findings"] as? [[String: Any]])?.first)
        #expect(finding["kind"] as? String == "calculator-failure")
        let calculator = try #require(finding["calculator"] as? [String: Any])
        #expect(calculator["generation"] as? String == "libjvm")
        #expect(calculator["check"] as? String == "fixed")
        #expect(calculator["loadedClassCountDerived"] as? Bool == true)
        let recommendation = try #require(finding["recommendation"] as? [String: Any])
        #expect(recommendation["memoryMiB"] as? Int == 1024)
        #expect(recommendation["cpuUnits"] as? Int == 256)
        #expect((recommendation["alternatives"] as? [Any])?.count ?? 0 >= 2)
        #expect((finding["evidence"] as? [Any])?.count == 5)
    }

    @Test func markdownIsAnIncidentSection() throws {
        let result = try runMemfit(["--format", "markdown", "--title", "TIS <b>|</b>", Fixtures.url("p01-seed-console-paste.txt").path])
        #expect(result.stdout.hasPrefix("# TIS &lt;b&gt;\\|&lt;/b&gt;\n"))
        #expect(result.stdout.contains("| Metaspace | 120382K | 123,272,000 | derived: 18,840 loaded classes |"))
        #expect(result.stdout.contains("```text\n"))
    }

    @Test func calcPrintsTheCalculatorLine() throws {
        let fail = try runMemfit(["calc", "--total-memory", "616300K", "--loaded-class-count", "18840", "--thread-count", "250"])
        #expect(fail.status == 1)
        #expect(fail.stdout.hasPrefix(
            "fixed memory regions require 632382K which is greater than 616300K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads\n"))
        let fits = try runMemfit(["calc", "--total-memory=1G", "--loaded-class-count=18840", "--format=json"])
        #expect(fits.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fits.stdout.utf8)) as? [String: Any])
        #expect(json["fits"] as? Bool == true)
        #expect(json["jvmOptions"] as? String == "-XX:MaxDirectMemorySize=10M -Xmx416193K -XX:MaxMetaspaceSize=120382K -XX:ReservedCodeCacheSize=240M -Xss1M")
    }

    /// A mistyped command is a usage error with a suggestion (it was "no such file", then analyze mode on the
    /// rest); scan needs a PATH (it read stdin); the format error names each format once.
    @Test(arguments: [
        (["scna", "/tmp"], "did you mean 'memfit scan'?"), (["clac"], "did you mean 'memfit calc'?"),
        (["scan"], "scan needs at least one PATH"), (["--format", "xml", "x"], "--format must be text, json, markdown or html\n"),
    ])
    func usageErrorsSayWhatWasMeant(_ args: [String], _ message: String) throws {
        let result = try runMemfit(args)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
