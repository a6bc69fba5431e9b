import Foundation
import Testing

@testable import MemfitCore

/// The example reports in samples/ are what memfit prints today: byte for byte, so reports can be diffed.
@Suite struct SamplesTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test(arguments: [
        ([String](), "seed-incident.report.txt"), (["--format", "markdown"], "seed-incident.report.md"),
        (["--format", "html"], "seed-incident.report.html"), (["--format", "json"], "seed-incident.report.json"),
    ])
    func sampleHasNotDrifted(_ args: [String], _ file: String) throws {
        let process = Process()
        process.executableURL = Fixtures.memfitBinary
        process.arguments = ["--color=never"] + args + ["samples/seed-incident.txt"]
        process.currentDirectoryURL = Self.packageRoot
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = try Data(contentsOf: Self.packageRoot.appendingPathComponent("samples/" + file))
        #expect(data == expected, "samples/\(file) drifted: run scripts/update-samples and review the diff")
    }

    /// The HTML bar: one segment per region with a width proportional to its bytes, the shortfall, the limit.
    @Test func htmlBarHasTheRegions() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("p01-seed-console-paste.txt").path], options: DiagnosisOptions())
        let html = HTMLReporter().render(report)
        let regions = html.components(separatedBy: "<svg class=\"regions\"")[1].components(separatedBy: "</svg>")[0]
        func segment(_ name: String) -> (bytes: Double, width: Double)? {
            guard let tag = regions.components(separatedBy: "<rect class=\"\(name)\"").dropFirst().first else { return nil }
            func attribute(_ a: String) -> Double? {
                Double(tag.components(separatedBy: "\(a)=\"").dropFirst().first?.components(separatedBy: "\"").first ?? "")
            }
            return attribute("data-bytes").flatMap { b in attribute("width").map { (b, $0) } }
        }
        let names = ["segment direct", "segment metaspace", "segment code-cache", "segment thread-stacks"]
        let segments = try names.map { try #require(segment($0), "\($0) missing") }
        #expect(segments.map(\.bytes) == [10_485_760, 123_272_000, 251_658_240, 262_144_000])
        let scale = segments.map(\.width).reduce(0, +) / segments.map(\.bytes).reduce(0, +)
        for s in segments { #expect(abs(s.width - s.bytes * scale) < 0.05) }  // widths are written to 0.01
        let shortfall = try #require(segment("shortfall"))
        #expect(shortfall.bytes == 16_468_800)
        #expect(regions.contains("class=\"limit\" data-bytes=\"631091200\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
    }

    /// Log text cannot break out of the HTML or the Markdown table.
    @Test func hostileLogTextIsEscaped() throws {
        let line = "<script>alert(1)</script> | `x` " + HostileInputTests.fl
        let report = try analyze(line)
        let html = HTMLReporter().render(report)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        // Outside fenced code blocks (where it is shown as text), no raw HTML reaches the Markdown.
        let markdown = MarkdownReporter().render(report)
        let outsideFences = markdown.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(!outsideFences.joined().contains("<script>"))
        #expect(markdown.contains("```text\n"))
    }

    /// samples/rules: three custom rules (one with a `when` condition) end to end, and two broken files with the
    /// documented errors.
    @Test func sampleRulesWorkEndToEnd() throws {
        let root = Self.packageRoot.path
        let check = try runMemfit(["rules", "check", root + "/samples/rules/acme.json"])
        #expect(check.status == 0)
        let run = try runMemfit(["--format", "json", "--rules", root + "/samples/rules/acme.json", root + "/samples/rules/acme.log"])
        #expect(run.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.map { $0["kind"] as? String } == ["native-oom", "jre-too-old", "java-agent-missing"])
        #expect(findings.map { $0["severity"] as? String } == ["failure", "failure", "warning"])
        // The 16M allocation on line 3 fails the `when` condition; only line 4's 256M counts.
        #expect(findings[0]["occurrences"] as? Int == 1)
        #expect((findings[0]["summary"] as? String)?.contains("a native allocation of 256M failed in arena") == true)
        let broken = try runMemfit(["rules", "check", root + "/samples/rules/broken.json", root + "/samples/rules/broken-sample.json"])
        #expect(broken.status == 65)
        #expect(broken.stderr == """
            memfit: \(root)/samples/rules/broken.json: rule 'acme-native-oom': the pattern does not compile: missing closing parenthesis (pattern offset 44)
            memfit: \(root)/samples/rules/broken-sample.json: rule 'jre-too-old': sample 1 does not match the pattern and conditions

            """)
    }

    /// The README documents every exit code and every command (a regression: an edit once emptied it).
    @Test func readmeDocumentsTheCommandsAndExitCodes() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for code in [0, 1, 2, 64, 65, 66, 70, 74] { #expect(readme.contains("| \(code) |"), "exit code \(code)") }
        for command in ["memfit calc", "memfit scan", "memfit diff", "memfit query insights", "memfit rules check",
                        "memfit rules list", "./scripts/memfit samples/seed-incident.txt", "./scripts/test", "bench/run"] {
            #expect(readme.contains(command), "\(command)")
        }
    }
}
