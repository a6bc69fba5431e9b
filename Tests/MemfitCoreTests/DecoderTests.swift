import Foundation
import Testing

@testable import MemfitCore

/// One synthetic input per export format (Fixtures/formats), built from log-formats.md: the format it is read as,
/// the records that come out, and the findings with their sources.
struct FormatCase: Sendable, CustomTestStringConvertible {
    var file: String
    var format: String
    var shape: String? = nil
    var records: Int
    /// (kind, source, platform) of every finding, in report order.
    var findings: [(String, String?, Platform)]
    var encoding = "utf-8"
    var compression = "none"
    var testDescription: String { file }
}

@Suite struct DecoderTests {
    static let orders = "ecs/orders-api/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d"
    static let billing = "ecs/billing/9f8e7d6c5b4a43219f8e7d6c5b4a4321"
    static let failure = "calculator-failure"

    static let cases: [FormatCase] = [
        FormatCase(file: "get-log-events-pages.json", format: "json", shape: "cloudwatch-get-log-events", records: 6,
                   findings: [(failure, nil, .ecsFargate)]),
        FormatCase(file: "filter-log-events.json", format: "json", shape: "cloudwatch-filter-log-events", records: 5,
                   findings: [(failure, orders, .ecsFargate), (failure, billing, .ecsFargate)]),
        FormatCase(file: "get-log-events.txt", format: "cloudwatch-text", records: 3, findings: [(failure, nil, .ecsFargate)]),
        FormatCase(file: "filter-log-events.txt", format: "cloudwatch-text", records: 2,
                   findings: [(failure, orders, .ecsFargate), (failure, billing, .ecsFargate)]),
        FormatCase(file: "tail-detailed.txt", format: "aws-logs-tail", records: 7, findings: [(failure, orders, .ecsFargate)]),
        FormatCase(file: "tail-short.txt", format: "aws-logs-tail", records: 2, findings: [(failure, nil, .ecsFargate)]),
        FormatCase(file: "tail-json.txt", format: "aws-logs-tail", records: 6, findings: [(failure, orders, .ecsFargate)]),
        FormatCase(file: "insights.csv", format: "insights-csv", records: 4, findings: [(failure, orders, .ecsFargate)],
                   encoding: "utf-8-bom"),
        FormatCase(file: "insights.json", format: "json", shape: "insights-json", records: 2, findings: [(failure, orders, .ecsFargate)]),
        FormatCase(file: "query-results.json", format: "json", shape: "insights-query-results", records: 2,
                   findings: [(failure, billing, .ecsFargate)]),
        FormatCase(file: "s3-export-000000", format: "s3-export", records: 4, findings: [(failure, nil, .ecsFargate)],
                   compression: "gzip"),
        FormatCase(file: "lambda-awslogs.json", format: "json-lines", shape: "cloudwatch-lambda-awslogs", records: 2,
                   findings: [(failure, orders, .ecsFargate)]),
        FormatCase(file: "subscription.json", format: "json", shape: "cloudwatch-subscription", records: 2,
                   findings: [(failure, orders, .ecsFargate)]),
        // jq -S: "logEvents" sorts before "logStream" and "messageType"; the control message is still skipped.
        FormatCase(file: "subscription-sorted-keys.json", format: "json", shape: "cloudwatch-subscription", records: 1,
                   findings: [(failure, "ecs/app/A", .ecsFargate)]),
        FormatCase(file: "firehose-object", format: "json-lines", shape: "cloudwatch-subscription", records: 3,
                   findings: [(failure, orders, .ecsFargate), (failure, billing, .ecsFargate)], compression: "gzip"),
        FormatCase(file: "firelens.json", format: "json", shape: "cloudwatch-get-log-events", records: 2,
                   findings: [(failure, "app", .ecsFargate)]),
        FormatCase(file: "ecs-describe-tasks.json", format: "json", shape: "ecs-describe-tasks", records: 5,
                   findings: [("container-oom-killed", "orders-api/app", .ecsFargate), ("container-oom-killed", "billing/web", .ecsEC2)]),
        FormatCase(file: "ecs-describe-services.json", format: "json", shape: "ecs-describe-services", records: 2,
                   findings: [("container-oom-killed", "orders-api", .ecsFargate)]),
        FormatCase(file: "kubectl-prefix-timestamps.log", format: "plain", records: 3,
                   findings: [(failure, "orders-1/app", .kubernetes), (failure, "orders-2/app", .kubernetes)]),
        FormatCase(file: "cri-0.log", format: "cri", records: 4, findings: [(failure, nil, .kubernetes)]),
        FormatCase(file: "docker-json.log", format: "json-lines", shape: "docker-json-file", records: 3, findings: [(failure, nil, .docker)]),
        FormatCase(file: "describe-pod.txt", format: "kubectl-describe", records: 27,
                   findings: [("container-oom-killed", "orders-6b9d7c5f4-kx2lp/app", .kubernetes)]),
        FormatCase(file: "cf-crash.log", format: "plain", records: 3, findings: [("container-oom-killed", "API/1", .cloudFoundry)]),
        FormatCase(file: "heroku-r15.log", format: "plain", records: 5,
                   findings: [("container-oom-killed", "web.1", .heroku), ("memory-quota-exceeded", "web.1", .heroku)]),
        FormatCase(file: "flyio.log", format: "plain", records: 2, findings: [(failure, "4d89", .generic)]),
        FormatCase(file: "azure-appservice.log", format: "plain", records: 2, findings: [(failure, nil, .generic)]),
        FormatCase(file: "utf16le-bom.log", format: "plain", records: 2, findings: [(failure, nil, .generic)], encoding: "utf-16le"),
        FormatCase(file: "utf16be-bom.log", format: "plain", records: 2, findings: [(failure, nil, .generic)], encoding: "utf-16be"),
        FormatCase(file: "utf8-bom-crlf.log", format: "plain", records: 2, findings: [(failure, nil, .generic)], encoding: "utf-8-bom"),
    ]

    @Test(arguments: cases)
    func decodes(_ c: FormatCase) throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("formats/" + c.file).path], options: DiagnosisOptions())
        let input = try #require(report.inputs.first)
        #expect(report.inputErrors.isEmpty)
        #expect(input.format == c.format)
        #expect(input.shape == c.shape)
        #expect(input.records == c.records)
        #expect(input.encoding == c.encoding)
        #expect(input.compression == c.compression)
        let got = report.findings.map { "\($0.kind.rawValue) \($0.source ?? "-") \($0.platform.rawValue)" }
        let want = c.findings.map { "\($0.0) \($0.1 ?? "-") \($0.2.rawValue)" }
        #expect(got == want)
        // Every calculator failure here is one of the two lines the fixtures use, to the byte.
        for f in report.findings where f.kind == .calculatorFailure {
            #expect([Int64(616_300 * 1024), Int64(600 << 20)].contains(f.calculator?.availableBytes ?? 0))
        }
    }

    @Test func ecsContainerMemoryComesFromTheDocument() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("formats/ecs-describe-tasks.json").path], options: DiagnosisOptions())
        let fargate = try #require(report.findings.first { $0.source == "orders-api/app" })
        #expect(fargate.memoryLimitBytes == Int64(1024 << 20))  // task memory; the container has none of its own
        #expect(fargate.exitCode == 137)
        #expect(fargate.platformReason == "launchType FARGATE in aws ecs describe-tasks")
        let ec2 = try #require(report.findings.first { $0.source == "billing/web" })
        #expect(ec2.memoryLimitBytes == Int64(768 << 20))  // the container's own memory wins over the task's
    }

    @Test func kubectlDescribeKnowsTheLimit() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("formats/describe-pod.txt").path], options: DiagnosisOptions())
        #expect(report.findings.first?.memoryLimitBytes == Int64(512 << 20))
        #expect(report.findings.first?.exitCode == 137)
    }

    @Test func criPartialRecordsAreJoinedBeforeMatching() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("formats/cri-0.log").path], options: DiagnosisOptions())
        let f = try #require(report.findings.first)
        #expect(f.calculator?.requiredBytes == 647_560_000)
        #expect(f.evidence.contains { $0.line == 2 })  // the failure starts on the P line
    }

    @Test func csvRecordsSpanLinesAndKeepTheirStartLine() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("formats/insights.csv").path], options: DiagnosisOptions())
        let evidence = report.findings.first?.evidence.map(\.line) ?? []
        #expect(evidence.contains(3))  // the fixed-regions row
        #expect(evidence.contains(7))  // Calculating, after a record spanning two lines and a repeated header
    }

    @Test(arguments: [("512Mi", Int64(512 << 20)), ("1Gi", Int64(1 << 30)), ("500M", Int64(500_000_000)), ("2G", Int64(2_000_000_000)),
                      ("1048576", Int64(1_048_576)), ("1500m", Int64(2)), ("1e9", Int64(1_000_000_000))])
    func kubernetesQuantities(_ text: String, _ bytes: Int64) {
        #expect(KubernetesQuantity.bytes(text) == bytes)
    }

    @Test(arguments: ["", "Mi", "-1Gi", "12Qi"])
    func badKubernetesQuantities(_ text: String) {
        #expect(KubernetesQuantity.bytes(text) == nil)
    }

    @Test func criSourceFromNodePaths() {
        #expect(CRIDecoder.source(fromPath: "/var/log/pods/default_orders-6b9d_1234-5678/app/0.log") == "orders-6b9d/app")
        #expect(CRIDecoder.source(fromPath: "/var/log/containers/orders-6b9d_default_app-0123abcd.log") == "orders-6b9d/app")
        #expect(CRIDecoder.source(fromPath: "cri-0.log") == nil)
    }
}

/// Inputs that are broken part-way: the error names the input and where, and what came before still counts.
@Suite struct BrokenInputTests {
    static let failure = "fixed memory regions require 632382K which is greater than 616300K available for allocation: "
        + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"

    @Test func badJSONInTheMiddle() throws {
        let text = "{\n  \"events\": [\n    {\"logStreamName\": \"s1\", \"message\": \"\(Self.failure)\", \"timestamp\": 1},\n    {\"message\": oops}\n  ]\n}\n"
        let report = try analyze(text, name: "bad.json")
        let error = try #require(report.inputErrors.first)
        #expect(error.input == "bad.json")
        #expect(error.reason == .invalidFormat)
        #expect(error.offset == Int64(text.utf8.count - 12))  // the start of "oops"
        #expect(error.description.hasPrefix("bad.json: invalid content (invalid JSON: unexpected 'o') at byte"))
        #expect(report.findings.first?.source == "s1")
        #expect(report.inputs.first?.partial == true)
    }

    /// A Lambda wrapper whose `data` is not base64 of a gzip payload is reported (its events are lost), and the
    /// good payload in the same file still gives its finding. Before, such payloads were skipped silently.
    @Test(arguments: [
        ("@@not base64@@", "is not base64"),
        ("bm90IGd6aXA=", "holds no valid JSON payload"),  // "not gzip"
        ("H4sIAAAAAAAA", "is not complete gzip"),  // a gzip header and nothing more
    ])
    func brokenLambdaPayload(data: String, why: String) throws {
        let good = String(decoding: try Fixtures.data("formats/lambda-awslogs.json"), as: UTF8.self)
        let text = good.trimmingCharacters(in: .newlines) + "\n{\"awslogs\": {\"data\": \"\(data)\"}}\n"
        let report = try analyze(text, name: "lambda.json")
        #expect(report.inputErrors.first?.description.hasPrefix("lambda.json: invalid content (awslogs.data on line 2 \(why)") == true,
                "\(report.inputErrors)")
        #expect(report.findings.first?.source?.hasPrefix("ecs/orders-api/") == true)
    }

    /// The same export appended twice (overlapping windows, a re-run page): events with an `eventId` count once;
    /// without ids (get-log-events) nothing can tell repeats apart, so they count twice.
    @Test(arguments: [
        ("formats/filter-log-events.json", 1), ("formats/filter-log-events.txt", 1), ("formats/get-log-events.txt", 2),
    ])
    func repeatedEventsCountOnce(file: String, factor: Int) throws {
        let once = String(decoding: try Fixtures.data(file), as: UTF8.self)
        let single = try analyze(once, name: file).findings.map(\.occurrences)
        let doubled = try analyze(once + (once.hasSuffix("\n") ? "" : "\n") + once, name: file).findings.map(\.occurrences)
        #expect(!single.isEmpty)
        #expect(doubled == single.map { $0 * factor })
    }

    @Test func jsonNestedTooDeep() throws {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let report = try analyze(text, name: "deep.json")
        #expect(report.inputErrors.first?.detail?.contains("nested deeper than 512 levels") == true)
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        let text = #"{"events": [{"message": "\ud83d x \udc00 \#(Self.failure)"}]}"#
        let report = try analyze(text)
        #expect(report.inputErrors.isEmpty)
        #expect(report.findings.first?.evidence.first?.text.hasPrefix("\u{FFFD} x \u{FFFD} fixed") == true)
    }

    @Test func csvWithAnUnterminatedQuote() throws {
        let text = "@timestamp,@message,@logStream\n2023-06-13 15:51:45.201,\"\(Self.failure)\",s1\n2023-06-13 15:51:46.000,\"never closed,s1\n"
        let report = try analyze(text, name: "cut.csv")
        #expect(report.inputErrors.first?.description == "cut.csv: invalid content (CSV quoted field starting on line 3 is never closed)")
        #expect(report.findings.first?.source == "s1")
        #expect(report.inputs.first?.records == 2)
    }

    /// One broken input never stops the others: its error is reported and every finding elsewhere is kept.
    @Test func aBrokenInputAmongGoodOnes() throws {
        let dir = try makeTemporaryDirectory("mixed")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"events\": [\n{\"logStreamName\": \"s1\", \"message\": \"\(Self.failure)\"},\n{\"message\": oops}]}\n".utf8)
            .write(to: dir.appendingPathComponent("a-broken.json"))
        try Fixtures.data("p04-kubectl-limit-600M.log").write(to: dir.appendingPathComponent("b-good.log"))
        try Fixtures.data("formats/insights.csv").write(to: dir.appendingPathComponent("c-good.csv"))
        let report = try Analyzer().analyze(paths: [dir.path], options: DiagnosisOptions())
        #expect(report.inputs.map(\.format) == ["json", "plain", "insights-csv"])
        #expect(report.inputErrors.count == 1)
        #expect(report.inputErrors.first?.input.hasSuffix("a-broken.json") == true)
        #expect(Set(report.findings.compactMap(\.source)) == [
            "s1", "orders-6b9d7c5f4-kx2lp/orders", "ecs/orders-api/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d",
        ])
    }

    @Test func forcedFormatIsUsed() throws {
        let analyzer = try Analyzer()
        analyzer.forcedFormat = .plain
        let report = analyzer.analyze(paths: [Fixtures.url("formats/filter-log-events.json").path], options: DiagnosisOptions())
        #expect(report.inputs.first?.format == "plain")
        // Read as lines, the JSON still holds the failure text, just without the stream names.
        #expect(report.findings.first?.kind == .calculatorFailure)
    }
}
