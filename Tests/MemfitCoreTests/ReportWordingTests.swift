import Foundation
import Testing

@testable import MemfitCore

/// Regressions from a fresh-clone trial: wording and layout that told the reader something wrong.
@Suite struct ReportWordingTests {
    /// The advice quoted `BPE_DEFAULT_BPL_JVM_THREAD_COUNT=100` whatever the build log had set.
    @Test func launchSettingAdviceNamesTheBuildsOwnSetting() throws {
        let paths = ["builds/threads-fail.log", "formats/cri-0.log"].map { Fixtures.url($0).path }
        let report = try Analyzer().analyze(paths: paths, options: DiagnosisOptions())
        let finding = try #require(report.findings.first { $0.kind == .launchSettingIgnored })
        #expect(finding.launchSetting == Finding.LaunchSetting(name: "BPL_JVM_THREAD_COUNT", value: 50))
        let advice = Narrative.details(finding).joined()
        #expect(advice.contains("`BPL_JVM_THREAD_COUNT=50`"))
        #expect(advice.contains("`BPE_DEFAULT_BPL_JVM_THREAD_COUNT=50`"))
        #expect(!advice.contains("=100"))
    }

    /// A build log names no service: with starts from several sources it is compared with none of them.
    @Test func aBuildLogIsNotComparedWithOtherServices() throws {
        let paths = ["builds/threads-fail.log", "p02-filter-log-events.json"].map { Fixtures.url($0).path }
        let report = try Analyzer().analyze(paths: paths, options: DiagnosisOptions())
        #expect(Set(report.findings.compactMap(\.source)).count == 2)
        #expect(!report.findings.contains { $0.kind == .launchSettingIgnored })
    }

    /// `memfit calc` said "the all regions need …".
    @Test func calcNamesTheCheckInWords() throws {
        let calculator = MemoryCalculator(totalMemory: .gibibytes(1), loadedClassCount: 18_840, jvmOptions: "-Xmx2G")
        let text = CalcReport.text(calculator.calculate(), calculator)
        #expect(text.contains("The JVM would not start: its regions including the user-set heap need 2729534K"))
    }

    struct ProseCase: Sendable, CustomTestStringConvertible {
        var text: String
        var html: String
        var testDescription: String { text }
    }

    static let proseCases: [ProseCase] = [
        ProseCase(text: "set a hard `memory` of 1024 MiB", html: "set a hard <code>memory</code> of 1024 MiB"),
        ProseCase(text: "`a` and `b<c>`", html: "<code>a</code> and <code>b&lt;c&gt;</code>"),
        ProseCase(text: "one ` unpaired", html: "one ` unpaired"),
        ProseCase(text: "`a` then ` open", html: "<code>a</code> then ` open"),
        ProseCase(text: "<script>`x`", html: "&lt;script&gt;<code>x</code>"),
    ]

    /// The HTML report printed Markdown backticks literally.
    @Test(arguments: proseCases)
    func htmlProse(_ c: ProseCase) {
        #expect(HTML.prose(c.text) == c.html)
    }

    /// The text bar drew a user-set heap as X without saying what X is.
    @Test func legendExplainsAUserSetHeap() throws {
        let line = "all memory regions require 2729534K which is greater than 1G available for allocation: -Xmx2G, "
            + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"
        let text = TextReporter(color: false).render(try analyze(line))
        #expect(text.contains("X heap set with -Xmx"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    /// The scan's table cut long names from the left, so two services' streams showed the same task id.
    @Test func scanTableKeepsTheServiceName() {
        func row(_ source: String, byInput: Bool) -> SourceSummary {
            SourceSummary(source: source, status: .failure, latest: "calculator-failure", occurrences: 1, nearMisses: 0,
                          firstSeen: nil, lastSeen: nil, namedByInput: byInput)
        }
        let lines = SourceSummary.text([
            row("ecs/orders-api/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", byInput: false),
            row("ecs/credentials/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", byInput: false),
            row("/var/log/archive/2023/06/13/orders.log", byInput: true),
        ])
        #expect(lines[2].hasPrefix("  ecs/orders-api/0…e0f1a2b3c4d "))
        #expect(lines[3].hasPrefix("  ecs/credentials/…e0f1a2b3c4d "))
        #expect(lines[4].hasPrefix("  …chive/2023/06/13/orders.log "))
    }

    /// Wide characters were counted as one column, so CJK text in a failure line ran to 190 columns; zero-width and
    /// tag characters passed through to the terminal.
    @Test func textStaysWithin100TerminalCells() throws {
        let wide = String(repeating: "漢字", count: 40)
        let text = "[pod/\(String(repeating: "漢", count: 30))/app] " + HostileInputTests.fl + " " + wide + "\u{200B}\u{E0041}"
        let out = TextReporter(color: false).render(try analyze(text))
        let lines = out.split(separator: "\n")
        #expect(lines.contains { $0.contains("漢") })
        #expect(lines.allSatisfy { TextLayout.cells($0) <= 100 })
        #expect(!out.unicodeScalars.contains { $0.value == 0x200B || $0.value == 0xE0041 })
        #expect(TextLayout.cells("a漢b") == 4)
    }
}
