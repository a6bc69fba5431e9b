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
}
