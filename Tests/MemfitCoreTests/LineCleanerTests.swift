import Testing

@testable import MemfitCore

struct CleanerCase: Sendable, CustomTestStringConvertible {
    var raw: String
    var message: String
    var timestamp: String?
    var source: String?
    var platform: Platform?
    var testDescription: String { raw }
}

@Suite struct LineCleanerTests {
    static let cases: [CleanerCase] = [
        CleanerCase(
            raw: "6/13/2023, 4:51:44 PM GMT+1 [31;1mERROR: [0mfailed to launch: exec.d",
            message: "ERROR: failed to launch: exec.d", timestamp: "6/13/2023, 4:51:44 PM GMT+1", platform: .ecsFargate),
        CleanerCase(
            raw: "6/13/2023, 4:51:44\u{202F}PM GMT+1\tCalculating JVM memory based on 616300K available memory",
            // U+202F (and NBSP) become plain spaces before matching.
            message: "Calculating JVM memory based on 616300K available memory", timestamp: "6/13/2023, 4:51:44 PM GMT+1",
            platform: .ecsFargate),
        CleanerCase(
            raw: "\u{1B}[31;1mERROR: \u{1B}[0mfailed", message: "ERROR: failed"),
        CleanerCase(raw: "^[[33mWARN^[[0m x #033[1mbold#033[0m", message: "WARN x bold"),
        CleanerCase(raw: "\u{1B}]0;title\u{07}text", message: "text"),
        // An OSC never ended on its line used to swallow the rest of it, launch line and all.
        CleanerCase(raw: "junk \u{1B}]0;title fixed memory regions", message: "junk 0;title fixed memory regions"),
        // DCS, APC, PM and SOS strings go whole (a tester's "\eP x\e\\fixed" left "xfixed"); a cursor move right
        // stood for blank space.
        CleanerCase(raw: "\u{1B}Px\u{1B}\\fixed \u{1B}_apc\u{07}memory\u{1B}^pm\u{1B}\\ \u{1B}Xsos\u{1B}\\x", message: "fixed memory x"),
        CleanerCase(raw: "fixed\u{1B}[1Cmemory\u{1B}[3Cregions", message: "fixed memory regions"),
        CleanerCase(
            raw: "2023-06-13T15:51:44.123Z fixed memory", message: "fixed memory", timestamp: "2023-06-13T15:51:44.123Z"),
        CleanerCase(
            raw: "api-1  | Setting Active Processor Count to 1", message: "Setting Active Processor Count to 1",
            source: "api-1", platform: .docker),
        CleanerCase(
            raw: "[pod/orders-6b9d7c5f4-kx2lp/orders] unable to calculate", message: "unable to calculate",
            source: "orders-6b9d7c5f4-kx2lp/orders", platform: .kubernetes),
        CleanerCase(
            raw: "[pod/api-1/app] 2023-06-13T15:51:44.123456789Z hello", message: "hello",
            timestamp: "2023-06-13T15:51:44.123456789Z", source: "api-1/app", platform: .kubernetes),
        CleanerCase(raw: "[info] fixed memory regions", message: "fixed memory regions"),
        CleanerCase(
            raw: "2020-08-14T20:23:31.670371+00:00 app[web.1]: required memory", message: "required memory",
            timestamp: "2020-08-14T20:23:31.670371+00:00", source: "web.1", platform: .heroku),
        CleanerCase(
            raw: "   2019-03-02T10:14:06.43+0000 [APP/PROC/WEB/0] ERR Cannot calculate", message: "Cannot calculate",
            timestamp: "2019-03-02T10:14:06.43+0000", source: "APP/PROC/WEB/0", platform: .cloudFoundry),
        CleanerCase(raw: "a\u{0}b\u{7F}c\u{85}d\u{FEFF}e", message: "abcde"),
        CleanerCase(raw: "keep [brackets] and [0] but not [0m", message: "keep [brackets] and [0] but not"),
        CleanerCase(raw: "price | 3", message: "price | 3"),
        CleanerCase(
            raw: "2023-06-13T15:51:44.123Z\tCalculating JVM memory", message: "Calculating JVM memory",
            timestamp: "2023-06-13T15:51:44.123Z", platform: .ecsFargate),
        CleanerCase(raw: "fixed\u{A0}memory regions", message: "fixed memory regions"),
    ]

    @Test(arguments: cases)
    func cleans(_ c: CleanerCase) throws {
        let cleaner = try LineCleaner()
        let matcher = PCRE2Matcher()
        var bytes = Array(c.raw.utf8)
        let record = bytes.withUnsafeMutableBufferPointer { buffer in
            cleaner.clean(UnsafeBufferPointer(buffer), input: "t", line: 1, capped: false, matcher: matcher)
        }
        #expect(record.message == c.message)
        #expect(record.timestamp == c.timestamp)
        #expect(record.source == c.source)
        #expect(record.platformHint == c.platform)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() throws {
        let cleaner = try LineCleaner()
        let bytes: [UInt8] = [0x66, 0xFF, 0xFE, 0x6F]
        let record = bytes.withUnsafeBufferPointer {
            cleaner.clean($0, input: "t", line: 1, capped: false, matcher: PCRE2Matcher())
        }
        #expect(record.message == "f\u{FFFD}\u{FFFD}o")
    }
}
