import Testing

@testable import MemfitCore

@Suite struct MemorySizeTests {
    @Test(arguments: [
        ("120382K", Int64(120_382 * 1024)), ("240M", Int64(240 * 1024 * 1024)), ("1G", Int64(1 << 30)), ("0", Int64(0)),
        ("1t", Int64(1) << 40), ("512m", Int64(512 << 20)), ("4048348058", Int64(4_048_348_058)), (" 10M ", Int64(10 << 20)),
    ])
    func parses(_ text: String, _ bytes: Int64) {
        #expect(MemorySize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "K", "1.5G", "-1M", "1MB", "512Mi", "1b", "12x", "99999999999999999999", "9999999999999T", "1 G"])
    func rejects(_ text: String) {
        #expect(MemorySize(parsing: text) == nil)
    }

    @Test func byteSuffixOnlyWhenAllowed() {
        #expect(MemorySize(parsing: "100b") == nil)
        #expect(MemorySize(parsing: "100B", allowByteSuffix: true)?.bytes == 100)
    }

    @Test(arguments: [
        (Int64(240 << 20), "240M"), (Int64(1 << 30), "1G"), (Int64(123_272_000), "120382K"), (Int64(1023), "0"),
        (Int64((1 << 30) + 1023), "1G"), (Int64(2_000_000_000), "1953125K"), (Int64(64) << 40, "64T"), (Int64(0), "0"),
        (Int64(647_560_000), "632382K"),
    ])
    func formatsLikeTheCalculator(_ bytes: Int64, _ text: String) {
        #expect(MemorySize(bytes: bytes).description == text)
    }

    @Test func kubernetesDecimalTwoGigabytes() {
        // bellsoft-liberica#797: a 2G Kubernetes limit (2,000,000,000 B) prints as 1953124K after the cgroup's page rounding.
        #expect(MemorySize(bytes: 1_953_124 * 1024).description == "1953124K")
    }

    @Test(arguments: [(Int64(16_468_800), "15.7 MiB"), (Int64(1 << 30), "1.0 GiB"), (Int64(512 * 1024), "512.0 KiB"), (Int64(12), "12 B")])
    func humanReadable(_ bytes: Int64, _ text: String) {
        #expect(MemorySize(bytes: bytes).humanReadable == text)
    }

    @Test(arguments: [("120382K", 18_840), ("120377K", 18_839), ("102790K", 15_734), ("125316K", 19_711), ("192588K", 31_588)])
    func derivesTheLoadedClassCount(_ printed: String, _ classes: Int) throws {
        let size = try #require(MemorySize(parsing: printed))
        #expect(MemoryCalculator.loadedClassCount(forPrintedMetaspace: size) == classes)
    }

    @Test func noClassCountBehindAnImpossibleMetaspace() {
        // 120380K lies between the metaspace of 18,839 classes (120377K) and of 18,840 (120382K).
        #expect(MemoryCalculator.loadedClassCount(forPrintedMetaspace: .kibibytes(120_380)) == nil)
        #expect(MemoryCalculator.loadedClassCount(forPrintedMetaspace: .kibibytes(100)) == nil)
    }

    @Test func countedClassesBeforeTheFactor() {
        #expect(Narrative.countedClasses(forLoaded: 18_840) == 53_829...53_831)
    }
}

@Suite struct LogTimestampTests {
    @Test(arguments: [
        ("2023-06-13T15:51:44.123Z", "2023-06-13T15:51:44.123Z"),
        ("2023-06-13T16:51:44.123+01:00", "2023-06-13T15:51:44.123Z"),
        ("2023-06-13T16:51:44.12+0100", "2023-06-13T15:51:44.120Z"),
        ("2023-06-13 15:51:45.210", "2023-06-13T15:51:45.210Z"),
        ("2023-06-13T15:51:44.123456789Z", "2023-06-13T15:51:44.123Z"),
        ("1686671504123", "2023-06-13T15:51:44.123Z"),
        ("6/13/2023, 4:51:44 PM GMT+1", "2023-06-13T15:51:44.000Z"),
        ("6/13/2023, 4:51:44\u{202F}AM", "2023-06-13T04:51:44.000Z"),
        ("2020-02-29T00:00:00Z", "2020-02-29T00:00:00.000Z"),
        // The edges of what still reads, once overflow and impossible dates were made nil (a SIGILL before).
        ("6/13/2023, 4:51:44 PM GMT+0530", "2023-06-13T11:21:44.000Z"),
        ("6/13/2023, 4:51:44 PM GMT-05:30", "2023-06-13T22:21:44.000Z"),
        ("12/31/9999, 11:59:59 PM", "9999-12-31T23:59:59.000Z"),
        ("0001-01-01T00:00:00Z", "1-01-01T00:00:00.000Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"),
    ])
    func readsPlatformTimestamps(_ text: String, _ iso: String) throws {
        let ms = try #require(LogTimestamp.milliseconds(text))
        #expect(LogTimestamp.iso8601(ms) == iso)
    }

    @Test(arguments: ["", "yesterday", "13/13", "2023-06-13", "123"])
    func ignoresOtherText(_ text: String) {
        #expect(LogTimestamp.milliseconds(text) == nil)
    }

    /// Insights exports are newest first: first seen must still be the earliest.
    @Test func firstSeenIsTheEarliestWhateverTheOrder() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("p03-insights-export.csv").path], options: DiagnosisOptions())
        let f = try #require(report.findings.first)
        #expect(f.firstSeen.map { $0 <= (f.lastSeen ?? "") } == true)
        #expect(f.firstSeen == "2023-06-13T15:51:45.201Z")
    }
}
