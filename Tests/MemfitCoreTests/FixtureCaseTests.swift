import Foundation
import Testing

@testable import MemfitCore

/// The values cases.json says a correct analyser reports, for the fixtures this issue covers.
struct FixtureCase: Decodable, CustomTestStringConvertible, Sendable {
    var file: String
    var expect: [[String: JSONAny]]
    var testDescription: String { file }

    static let covered = [
        "p01-seed-console-paste.txt", "p04-kubectl-limit-600M.log", "p05-compose-prefix.log",
        "p06-heroku-required-memory.log", "p07-cf-logs-v3.log", "p08-success-near-miss.log", "p09-no-limit-1G.log",
        "p11-metaspace-oom.log", "p12-exec-format-error.log", "p15-testcontainers-scrambled.log",
        "p02-filter-log-events.json", "p03-insights-export.csv", "p10-ecs-describe-tasks.json", "p14-s3-export-000000.gz",
    ]

    static let all: [FixtureCase] = {
        guard let data = try? Fixtures.data("cases.json"),
              let list = try? JSONDecoder().decode([FixtureCase].self, from: data)
        else { return [] }
        return list.filter { covered.contains($0.file) }
    }()
}

/// A JSON scalar or list from cases.json.
enum JSONAny: Decodable, Sendable, Equatable {
    case int(Int64), bool(Bool), string(String), list([String]), other

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Int64.self) { self = .int(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let l = try? c.decode([String].self) { self = .list(l) }
        else { self = .other }
    }
}

@Suite struct FixtureCaseTests {
    /// p02 holds three services; sync started fine and must not be reported.
    @Test func threeServicesTwoFailures() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("p02-filter-log-events.json").path], options: DiagnosisOptions())
        #expect(report.findings.filter { $0.severity == .failure }.count == 2)
        #expect(!report.findings.contains { $0.source?.contains("sync") == true && $0.severity == .failure })
    }

    @Test func everyCoveredFixtureIsListed() {
        #expect(FixtureCase.all.count == FixtureCase.covered.count)
    }

    @Test(arguments: FixtureCase.all)
    func reportsTheExpectedValues(_ fixture: FixtureCase) throws {
        let analyzer = try Analyzer()
        let report = analyzer.analyze(paths: [Fixtures.url(fixture.file).path], options: DiagnosisOptions())
        #expect(report.inputErrors.isEmpty)
        for expected in fixture.expect {
            guard case .string(let kind)? = expected["kind"] else { Issue.record("no kind"); continue }
            var source: String?
            if case .string(let s)? = expected["source"] { source = s }
            let finding = try #require(
                report.findings.first { $0.kind.rawValue == kind && (source == nil || $0.source == source) },
                "no \(kind) finding from \(source ?? "any source")")
            for (key, value) in expected {
                switch (key, value) {
                case ("kind", _), ("source", _): continue
                case ("notKinds", .list(let kinds)):
                    for notKind in kinds { #expect(!report.findings.contains { $0.kind.rawValue == notKind }) }
                case ("severity", .string(let s)): #expect(finding.severity.rawValue == s)
                case ("platform", .string(let p)): #expect(finding.platform.rawValue == p)
                case ("memoryMiB", .int(let m)): #expect(finding.recommendation?.memoryMiB == Int(m))
                case ("generation", .string(let g)): #expect(finding.calculator?.generation.rawValue == g)
                case ("limitVisible", .bool(let b)): #expect(finding.calculator?.limitVisible == b)
                case ("threadCount", .int(let n)): #expect(finding.calculator?.threadCount == Int(n))
                case ("loadedClassCount", .int(let n)): #expect(finding.calculator?.loadedClassCount == Int(n))
                case (_, .int(let bytes)) where key.hasSuffix("Bytes"):
                    let got = try #require(bytesValue(key, finding.calculator), "\(key) missing")
                    #expect(abs(got - bytes) < 1024, "\(key): want \(bytes) got \(got)")
                default:
                    Issue.record("unchecked expectation \(key)")
                }
            }
        }
    }

    func bytesValue(_ key: String, _ c: CalculatorFailure?) -> Int64? {
        switch key {
        case "availableBytes": return c?.availableBytes
        case "requiredBytes": return c?.requiredBytes
        case "metaspaceBytes": return c?.regions.metaspaceBytes
        case "heapBytes": return c?.regions.heapBytes
        default: return nil
        }
    }

    /// The seed incident: the numbers the issue names, exactly.
    @Test func seedIncidentDiagnosis() throws {
        let analyzer = try Analyzer()
        let report = analyzer.analyze(paths: [Fixtures.url("p01-seed-console-paste.txt").path], options: DiagnosisOptions())
        #expect(report.findings.count == 1)
        let f = try #require(report.findings.first)
        let c = try #require(f.calculator)
        #expect(c.check == .fixed)
        #expect(c.printedRequired == "632382K")
        #expect(c.printedAvailable == "616300K")
        #expect(MemorySize(bytes: try #require(c.shortfallBytes)).description == "16082K")
        #expect(MemorySize(bytes: try #require(c.shortfallBytes)).humanReadable == "15.7 MiB")
        #expect(c.regions.directMemoryBytes == Int64(10 * 1024 * 1024))
        #expect(c.regions.metaspaceBytes == 123_272_000)
        #expect(c.regions.reservedCodeCacheBytes == Int64(240 * 1024 * 1024))
        #expect(c.regions.threadStackBytes == Int64(250 * 1024 * 1024))
        #expect(c.loadedClassCountDerived)
        #expect(f.vendor == "paketo-buildpacks/bellsoft-liberica")
        let r = try #require(f.recommendation)
        #expect(r.platform == .ecsFargate)
        #expect(r.memoryMiB == 1024)
        #expect(r.cpuUnits == 256)
        #expect(r.containerLimitAdvice?.contains("container-level `memory` of 1024 MiB") == true)
        #expect(r.alternatives.count >= 2)
        #expect(r.alternatives.first?.change.hasPrefix("BPL_JVM_THREAD_COUNT=106") == true)
        let text = TextReporter(color: false).render(report)
        #expect(text.contains("18,840 loaded classes (derived"))
        #expect(text.contains("No visible memory limit"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }
}
