import Foundation
import Testing

@testable import MemfitCore

/// Inputs whose launch failure was lost to a decoding gap (a syntax error that stopped the decoder, a format
/// signal that was not seen): each must now give the failure, with the exact figures, source and platform.
struct RecoveryCase: Sendable, CustomTestStringConvertible {
    var name: String
    var file: String
    var format: String
    var records: Int? = nil
    var source: String?? = .none
    var platform: Platform? = nil
    /// The errors the input summary must report (substrings), in order.
    var errors: [String] = []
    var testDescription: String { name }
}

@Suite struct DecoderRecoveryTests {
    static let cases: [RecoveryCase] = [
        RecoveryCase(name: "pretty JSON banner, then plain lines", file: "json-banner-then-plain.log", format: "json",
                     records: 1, errors: ["invalid JSON: unexpected word 'fixed') at byte 43"]),
        RecoveryCase(name: ",,,GARBAGE inside a filter-log-events document", file: "filter-log-events-garbage-midway.json",
                     format: "json", records: 12, errors: ["invalid JSON: unexpected ',') at byte 301"]),
        RecoveryCase(name: "kubectl describe: Last State Message holds the failure", file: "describe-message-calculator.txt",
                     format: "kubectl-describe", records: 8, source: "orders-7d9f/app", platform: .kubernetes),
        RecoveryCase(name: "kubectl describe, then the pod's plain logs", file: "describe-then-plain-logs.txt",
                     format: "kubectl-describe", records: 28, source: .some(nil), platform: .kubernetes),
        RecoveryCase(name: "FireLens record with ec2_instance_id", file: "firelens-ec2-instance.json", format: "json",
                     records: 2, source: "/ecs-orders-7-app-e4b2c1d0a9f8e7d6c501", platform: .ecsEC2),
        RecoveryCase(name: "awslogs stream named by a bare container id", file: "ec2-container-id-stream.json", format: "json",
                     records: 2, source: "8c1f0e9d2b3a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5", platform: .ecsEC2),
        RecoveryCase(name: "EKS Container Insights record with a kubernetes object", file: "eks-container-insights.json",
                     format: "json", records: 2, source: "orders-api-6d9f7c8b5d-x2k4p/app", platform: .kubernetes),
        RecoveryCase(name: "aws logs tail --color on", file: "logs-tail-color-on.txt", format: "aws-logs-tail",
                     records: 2, source: "ecs/inventory/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", platform: .ecsFargate),
        RecoveryCase(name: "Insights CSV: an unquoted line with commas as a row of its own", file: "insights-unquoted-line.csv",
                     format: "insights-csv", records: 2),
        RecoveryCase(name: "Insights CSV: unquoted commas in @message shift @logStream",
                     file: "insights-unquoted-commas-shift-stream.csv", format: "insights-csv", records: 1,
                     source: "ecs/app/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", platform: .ecsFargate),
        RecoveryCase(name: "a paste starting with @oncall is not Insights CSV", file: "at-oncall-paste.txt", format: "plain",
                     records: 2),
        RecoveryCase(name: "UTF-16LE with a stray byte that misaligns the rest", file: "utf16le-stray-byte.log", format: "plain",
                     records: 4, errors: ["a stray byte misaligned the UTF-16 text; one byte was skipped) at byte 188"]),
        RecoveryCase(name: "UTF-16LE with UTF-8 appended", file: "utf16le-then-utf8.log", format: "plain", records: 4,
                     errors: ["followed by UTF-8 (or other 8-bit) text, read as UTF-8 from here) at byte 188"]),
        RecoveryCase(name: "UTF-16LE CJK text is not taken for misalignment", file: "utf16le-cjk.log", format: "plain",
                     records: 251),
        RecoveryCase(name: "Insights CSV: a stray quote swallows the rest into @logStream", file: "insights-stray-quote-in-logstream.csv",
                     format: "insights-csv", records: 202,
                     errors: ["CSV quoted field starting on line 2 is not closed within 4096 bytes; the rest is read as plain lines) at byte 61"]),
        RecoveryCase(name: "junk after an event on the same line: the event is not matched twice",
                     file: "json-event-then-junk-same-line.json", format: "json", records: 2,
                     source: "ecs/app/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d",
                     errors: ["invalid JSON: unexpected word 'trailing') at byte 341"]),
    ]

    @Test(arguments: cases)
    func failureIsFound(_ c: RecoveryCase) throws {
        let bytes = Array(try Fixtures.data("formats/recovery/" + c.file))
        let report = try analyzeBytes(bytes, name: c.file)
        let input = try #require(report.inputs.first)
        #expect(input.format == c.format)
        if let records = c.records { #expect(input.records == records) }
        #expect(input.errors.count == c.errors.count)
        for (error, expected) in zip(input.errors, c.errors) { #expect(error.contains(expected), "\(error)") }
        let failures = report.findings.filter { $0.kind == .calculatorFailure }
        #expect(failures.count == 1)
        let f = try #require(failures.first)
        #expect(f.occurrences == 1)
        #expect(f.calculator?.requiredBytes == Int64(647_560_000))
        #expect(f.calculator?.availableBytes == Int64(631_091_200))
        if case .some(let source) = c.source { #expect(f.source == source) }
        if let platform = c.platform { #expect(f.platform == platform) }
    }

    /// README: "LF, CRLF or a lone CR" end a line, for the whole input, not only within the 1 MiB line cap.
    @Test func loneCRLinesPastTheLineCap() throws {
        let fl = "fixed memory regions require 632382K which is greater than 616300K available for allocation: "
            + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"
        let progress = (0..<40_000).map { "progress line \($0) of the download\r" }.joined()
        let text = progress + fl + "\r" + progress
        #expect(text.utf8.count > 2 * LineReader.defaultMaxLineBytes)
        let report = try analyze(text, name: "cr.log")
        let input = try #require(report.inputs.first)
        #expect(input.cappedLines == 0)
        let f = try #require(report.findings.first { $0.kind == .calculatorFailure })
        #expect(f.calculator?.requiredBytes == Int64(647_560_000))
        #expect(f.calculator?.availableBytes == Int64(631_091_200))
    }
}
