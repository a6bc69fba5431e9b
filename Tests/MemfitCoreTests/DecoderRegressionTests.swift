import Foundation
import Testing

@testable import MemfitCore

/// Inputs a second break-it round found decoded wrongly: each must now give the failure, with the right format.
struct DecoderRegression: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var format: String
    var kinds: [FindingKind]
    var source: String? = nil
    var testDescription: String { name }
}

@Suite struct DecoderRegressionTests {
    static let fl = HostileInputTests.fl
    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static let cases: [DecoderRegression] = [
        DecoderRegression(name: "JSON lines, then the JVM's plain OOM line",
                          bytes: Array((String(repeating: #"{"message":"Started"}"# + "\n", count: 3)
                                        + "Terminating due to java.lang.OutOfMemoryError: Java heap space\n").utf8),
                          format: "json-lines", kinds: [.jvmOutOfMemory]),
        DecoderRegression(name: "pino/zap msg field", bytes: Array((json(["level": "error", "msg": fl]) + "\n").utf8),
                          format: "json-lines", kinds: [.calculatorFailure]),
        DecoderRegression(name: "az containerapp logs", bytes: Array((json(["TimeStamp": "2023-06-13T15:51:44Z", "Log": fl]) + "\n").utf8),
                          format: "json-lines", kinds: [.calculatorFailure]),
        DecoderRegression(name: "gcloud textPayload",
                          bytes: Array(("[\n  " + json(["textPayload": fl, "insertId": "x", "logName": "projects/p/logs/run"]) + "\n]\n").utf8),
                          format: "json", kinds: [.calculatorFailure]),
        DecoderRegression(name: "--query events[].message", bytes: Array(("[\n    \"" + fl + "\"\n]\n").utf8),
                          format: "json", kinds: [.calculatorFailure]),
        DecoderRegression(name: "kubectl get pod -o json",
                          bytes: Array(#"{"status": {"containerStatuses": [{"name": "app", "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}}"#.utf8),
                          format: "json-lines", kinds: [.containerOOMKilled]),
        DecoderRegression(name: "plain log that starts with [\"main\"]", bytes: Array(("[\"main\"] starting\n" + fl + "\n").utf8),
                          format: "plain", kinds: [.calculatorFailure]),
        DecoderRegression(name: "plain log that starts with {", bytes: Array(("{ config dump follows\n" + fl + "\n").utf8),
                          format: "plain", kinds: [.calculatorFailure]),
        DecoderRegression(name: "Insights CSV with CRLF",
                          bytes: Array(("@timestamp,@message,@logStream\r\n2023-06-13 15:51:45.201,\"" + fl + "\",s1\r\n").utf8),
                          format: "insights-csv", kinds: [.calculatorFailure], source: "s1"),
        DecoderRegression(name: "Insights CSV with a quote inside an unquoted field",
                          bytes: Array(("@timestamp,@message,@logStream\n2023-06-13 15:51:44.000,he said \"hi,s0\n2023-06-13 15:51:45.201,\""
                                        + fl + "\",s1\n").utf8),
                          format: "insights-csv", kinds: [.calculatorFailure], source: "s1"),
        DecoderRegression(name: "Insights CSV without a message column",
                          bytes: Array(("@timestamp,msg\n2023-06-13 15:51:45.201,\"" + fl + "\"\n").utf8),
                          format: "insights-csv", kinds: [.calculatorFailure]),
        DecoderRegression(name: "concatenated Insights CSVs with different column orders",
                          bytes: Array(("@timestamp,@message,@logStream\n2023-06-13 15:51:44.000,hello,s0\n"
                                        + "@logStream,@timestamp,@message\ns1,2023-06-13 15:51:45.201,\"" + fl + "\"\n").utf8),
                          format: "insights-csv", kinds: [.calculatorFailure], source: "s1"),
        DecoderRegression(name: "kubectl describe: OOMKilled now, another error before",
                          bytes: Array(("Name:  p1\nNamespace:  default\nContainers:\n  app:\n    State:  Terminated\n      Reason:  OOMKilled\n"
                                        + "      Exit Code:  137\n    Last State:  Terminated\n      Reason:  Error\n      Exit Code:  1\n").utf8),
                          format: "kubectl-describe", kinds: [.containerOOMKilled], source: "p1/app"),
        DecoderRegression(name: "filter-log-events text with a multi-line message",
                          bytes: Array(("EVENTS\t" + String(repeating: "3", count: 56) + "\t1686671504100\tecs/app/A\tstart\n" + fl
                                        + "\nend\t1686671504002\n").utf8),
                          format: "cloudwatch-text", kinds: [.calculatorFailure], source: "ecs/app/A"),
        DecoderRegression(name: "kubectl describe with Containers far down",
                          bytes: Array(("Name:  p1\nNamespace:  default\n" + (0..<60).map { "  annotation-\($0): x\n" }.joined()
                                        + "Containers:\n  app:\n    Last State:  Terminated\n      Reason:  OOMKilled\n      Exit Code:  137\n").utf8),
                          format: "kubectl-describe", kinds: [.containerOOMKilled], source: "p1/app"),
        DecoderRegression(name: "UTF-16LE without a BOM", bytes: Array((fl + "\r\n").utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
                          format: "plain", kinds: [.calculatorFailure]),
        DecoderRegression(name: "ISO-Z timestamps in a plain file are not an S3 export",
                          bytes: Array(("2023-06-13T15:51:44.123Z " + fl + "\n").utf8), format: "plain", kinds: [.calculatorFailure]),
        DecoderRegression(name: "ECS memory past 64T",
                          bytes: Array(#"{"tasks":[{"taskArn":"a","launchType":"EC2","memory":"8796093022208","containers":[{"name":"app","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage","memory":"8796093022207"}]}]}"#.utf8),
                          format: "json-lines", kinds: [.containerOOMKilled]),
        DecoderRegression(name: "repeated keys do not use up the budget",
                          bytes: Array(("{\"events\": [\n" + (0..<20_000).map { _ in #"{"id":"0123456789","id":"0123456789","message":"m"},"# }.joined(separator: "\n")
                                        + "\n{\"message\": \"" + fl + "\"}\n]}\n").utf8),
                          format: "json", kinds: [.calculatorFailure]),
    ]

    @Test(arguments: cases)
    func decodes(_ c: DecoderRegression) throws {
        let report = try analyzeBytes(c.bytes)
        #expect(report.inputs.first?.format == c.format)
        #expect(report.findings.map(\.kind) == c.kinds)
        if let source = c.source { #expect(report.findings.first?.source == source) }
        for reporter in [TextReporter(color: false), MarkdownReporter()] as [any Reporter] { _ = reporter.render(report) }
    }

    /// aws logs tail: a continuation line far below its event line, even across read blocks, keeps that event's source.
    @Test func tailContinuationsFarFromTheirEvent() throws {
        let a = "2023-06-13T15:51:44.123000+00:00 ecs/app/A Calculating JVM memory based on 616300K available memory\n"
        let b = "2023-06-13T15:51:45.123000+00:00 ecs/app/B java.lang.IllegalStateException: boom\n"
        let filler = (0..<3_000).map { "\tat com.example.Filler.method\($0)(Filler.java:\($0)) padding padding padding padding\n" }.joined()
        let report = try analyzeBytes(Array((a + b + filler + Self.fl + "\n").utf8))
        #expect(report.inputs.first?.format == "aws-logs-tail")
        #expect(report.findings.first { $0.kind == .calculatorFailure }?.source == "ecs/app/B")
    }

    /// A gzip cut short inside its first 64 KiB: what it inflated is still read, and the error is reported.
    @Test func shortTruncatedGzip() throws {
        let dir = try makeTemporaryDirectory("cut")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("s3.txt")
        try Data(("2023-06-13T15:51:44.124Z " + Self.fl + "\n").utf8).write(to: plain)
        let gz = dir.appendingPathComponent("s3.gz")
        try shell("gzip -c \(plain.path) | head -c $(( $(gzip -c \(plain.path) | wc -c) - 10 )) > \(gz.path)")
        let report = try Analyzer().analyze(paths: [gz.path], options: DiagnosisOptions())
        #expect(report.inputErrors.first?.reason == .truncatedGzip)
        #expect(report.findings.first?.kind == .calculatorFailure)
    }
}
