import Foundation
import Testing

@testable import MemfitCore

/// Regressions from a field check of real-shaped inputs (memory-calculator.md and log-formats.md sections cited).
struct FieldCheckTests {
    static func fieldFixture(_ name: String) throws -> AnalysisReport {
        try Analyzer().analyze(paths: [Fixtures.url("field/\(name)").path], options: DiagnosisOptions())
    }

    /// §1.3, §2.5: a region set in JAVA_TOOL_OPTIONS is a fixed input the success line leaves out; the
    /// recommendation must use the user's value, not the class-count formula or the default.
    @Test(arguments: [
        // 10M + 256M (user) + 240M + 250 × 1M = 792,723,456 B; + 128M heap → 884 MiB → 896.
        ("-XX:MaxDirectMemorySize=10M -Xmx124M -XX:ReservedCodeCacheSize=240M -Xss1M", "880M",
         "-XX:MaxMetaspaceSize=256m", 896, Int64(939_524_096 - 792_723_456), Int64(792_723_456), false),
        // 10M + (14,000,000 + 5,800 × 12,000) + 240M + 250 × 512K = 476,816,000 B; + 128M → 583 MiB → 640.
        ("-XX:MaxDirectMemorySize=10M -Xmx128279K -XX:MaxMetaspaceSize=81640K -XX:ReservedCodeCacheSize=240M", "580M",
         "-Xss512K", 640, Int64(671_088_640 - 476_816_000), Int64(476_816_000), true),
        // 10M + 83,600,000 + 96M (user) + 250 × 1M = 456,893,056 B; + 128M → 564 MiB → 576.
        ("-XX:MaxDirectMemorySize=10M -Xmx100M -XX:MaxMetaspaceSize=81640K -Xss1M", "600M",
         "-XX:ReservedCodeCacheSize=96m", 576, Int64(603_979_776 - 456_893_056), Int64(456_893_056), true),
    ])
    func userSetRegionFromJavaToolOptions(
        flags: String, total: String, userFlag: String, memoryMiB: Int, heap: Int64, fixed: Int64, classMargin: Bool
    ) throws {
        let report = try analyze("""
            Calculated JVM Memory Configuration: \(flags) (Total Memory: \(total), Thread Count: 250, Loaded Class Count: 12000, Headroom: 0%)
            Picked up JAVA_TOOL_OPTIONS: -XX:+ExitOnOutOfMemoryError \(userFlag) \(flags)
            """)
        let f = try #require(report.findings.first { $0.kind == .calculatorNearMiss })
        let rec = try #require(f.recommendation)
        #expect(rec.memoryMiB == memoryMiB)
        #expect(rec.heapBytes == heap)
        #expect(rec.targetBytes - rec.minHeapBytes == fixed)
        #expect((f.margin?.moreClasses != nil) == classMargin)
    }

    /// The field input itself (f04b): Fargate 1024 with a heap of 281,018,368 B; no class margin.
    @Test func userMetaspaceOnFargate() throws {
        let options = DiagnosisOptions(platform: .ecsFargate)
        let report = try Analyzer().analyze(
            paths: [Fixtures.url("field/user-metaspace-success.log").path], options: options)
        let f = try #require(report.findings.first { $0.kind == .calculatorNearMiss })
        #expect(f.calculator?.requiredBytes == 792_723_456)
        #expect(f.calculator?.regions.metaspaceBytes == 268_435_456)
        #expect(f.recommendation?.memoryMiB == 1024)
        #expect(f.recommendation?.heapBytes == 281_018_368)
        #expect(f.margin?.moreClasses == nil)
    }
}

extension FieldCheckTests {
    /// §5.3: CF v4 counts the headroom in "required" without listing it. 768M × 15% = 120,795,955 B; the listed
    /// regions are 712,288,000 B; (712,288,000 + 128M) / 0.85 → 950 MiB → 960.
    @Test(arguments: [
        ("field/cf-v4-headroom.log", Int64?(120_795_955), Int?(15), 960, Int64?(nil)),
    ])
    func cfV4HeadroomFromStaging(file: String, headroom: Int64?, percent: Int?, memoryMiB: Int, unlisted: Int64?) throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url(file).path], options: DiagnosisOptions())
        let f = try #require(report.findings.first { $0.kind == .calculatorFailure })
        #expect(f.calculator?.regions.headroomBytes == headroom)
        #expect(f.calculator?.headroomPercent == percent)
        #expect(f.calculator?.regions.unlistedBytes == unlisted)
        #expect(f.calculator?.check == (headroom == nil ? .fixed : .nonHeap))
        #expect(f.recommendation?.memoryMiB == memoryMiB)
    }

    /// Without the staging line the remainder is still the headroom when it is a whole percent of what was available;
    /// without a remainder there is no headroom.
    @Test(arguments: [
        ("required memory 813558K is greater than 768M available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=183593K, -XX:ReservedCodeCacheSize=240M, -Xss1M x 250 threads",
         Int64?(120_795_955), Int?(15), 960),
        ("required memory 695594K is greater than 512M available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=183593K, -XX:ReservedCodeCacheSize=240M, -Xss1M x 250 threads",
         Int64?(nil), Int?(nil), 832),
    ])
    func cfV4HeadroomWithoutStaging(line: String, headroom: Int64?, percent: Int?, memoryMiB: Int) throws {
        let report = try analyze(line)
        let f = try #require(report.findings.first { $0.kind == .calculatorFailure })
        #expect(f.calculator?.regions.headroomBytes == headroom)
        #expect(f.calculator?.headroomPercent == percent)
        #expect(f.recommendation?.memoryMiB == memoryMiB)
    }
}

extension FieldCheckTests {
    /// §6: the jvmkill agent's lines are a JVM out-of-memory failure, worded as what they are (not an OutOfMemoryError).
    @Test(arguments: [
        ("Resource exhaustion event: the JVM was unable to allocate memory from the heap.",
         ["unable to allocate memory from the heap (jvmkill resource exhaustion event)"]),
        ("Resource exhaustion event: the JVM was unable to create a thread.",
         ["unable to create a thread (jvmkill resource exhaustion event)"]),
        ("jvmkill killing current process", ["jvmkill killed the JVM after a resource exhaustion event"]),
        // The kill line after its event is the same failure.
        ("Resource exhaustion event: the JVM was unable to allocate memory from the heap.\nResourceExhausted! (1/0)\njvmkill killing current process",
         ["unable to allocate memory from the heap (jvmkill resource exhaustion event)"]),
    ])
    func jvmkillLines(text: String, details: [String]) throws {
        let report = try analyze(text)
        #expect(report.findings.map(\.kind) == details.map { _ in .jvmOutOfMemory })
        #expect(report.findings.map(\.detail) == details)
        #expect(report.findings.allSatisfy { !Narrative.headline($0).contains("java.lang.OutOfMemoryError") })
    }

    @Test func jvmkillFixtureIsOneFailureWithTheCalculation() throws {
        let report = try Self.fieldFixture("jvmkill.log")
        #expect(report.findings.map(\.kind) == [.jvmOutOfMemory])
        #expect(report.findings.first?.calculator?.loadedClassCount == 18_516)
    }
}

extension FieldCheckTests {
    static let caselessEntries = PatternCatalogue.builtIn.filter(\.caseless).map(\.id)

    /// A `caseless` entry matches its line in any case, end to end: prefilter, the entry's literal, the pattern.
    @Test(arguments: caselessEntries)
    func caselessEntryMatchesInAnyCase(_ id: String) throws {
        let entry = try #require(PatternCatalogue.builtIn.first { $0.id == id })
        let matcher = LineMatcher(catalogue: try CompiledCatalogue())
        for line in [entry.sample.uppercased(), entry.sample.lowercased()] {
            let candidate = Array(line.utf8).withUnsafeBufferPointer { Prefilter().matches($0) }
            #expect(candidate, "the prefilter skips \(line)")
            guard case .matched(let matched, _) = matcher.match(line) else {
                Issue.record("no match: \(line)")
                continue
            }
            #expect(matched.id == id)
        }
    }

    /// The case forms cost the prefilter one rare literal, not a common one such as "memory".
    @Test func caseFormsAddOnlyRareLiterals() {
        #expect(PatternCatalogue.prefilterSearchLiterals == PatternCatalogue.prefilterLiterals + [" MEMORY"])
    }

    /// End to end through the analyser: upper-case CF v2 and CF v3 lines are calculator failures.
    @Test(arguments: [
        ("CANNOT BALANCE MEMORY: TOTAL MEMORY 256M IS TOO SMALL", CalculatorGeneration.cfV2),
        ("CANNOT CALCULATE JVM MEMORY CONFIGURATION: THERE IS INSUFFICIENT MEMORY REMAINING FOR HEAP. MEMORY LIMIT 512M IS LESS THAN ALLOCATED MEMORY 678247K",
         .cfV3),
    ])
    func upperCaseCalculatorLines(line: String, generation: CalculatorGeneration) throws {
        let report = try analyze(line)
        #expect(report.findings.map(\.kind) == [.calculatorFailure])
        if generation == .cfV3 { #expect(report.findings.first?.calculator?.availableBytes == 536_870_912) }
    }
}

extension FieldCheckTests {
    /// log-formats.md §8.3, §8.6: the ECS OOM reason in either case, in the task's stoppedReason or an archived
    /// EventBridge event, is an OOM kill with the exit code and the limit of the same document.
    @Test(arguments: [
        ("describe-tasks-oom-stoppedreason-lower.json", String?("report-worker"), Int?(137), Int64?(1_073_741_824), Platform.ecsEC2),
        ("describe-tasks-oom-stoppedreason-proper.json", "report-worker", 137, 1_073_741_824, .ecsEC2),
        ("eventbridge-oom-lower.json", "orders-api", 137, 805_306_368, .ecsFargate),
        ("eventbridge-oom-proper.json", "orders-api", 137, 805_306_368, .ecsFargate),
        ("ecs-oom-lower-plain.log", nil, nil, nil, .generic),
    ])
    func ecsOutOfMemoryReason(file: String, source: String?, exitCode: Int?, limit: Int64?, platform: Platform) throws {
        let report = try Self.fieldFixture(file)
        #expect(report.findings.map(\.kind) == [.containerOOMKilled])
        let f = try #require(report.findings.first)
        #expect(f.source == source)
        #expect(f.exitCode == exitCode)
        #expect(f.memoryLimitBytes == limit)
        #expect(f.platform == platform)
    }
}

extension FieldCheckTests {
    /// One no-memory-limit occurrence per start: the "For more information" line belongs to the same start.
    @Test(arguments: [
        ("meminfo-two-starts.log", 2),
    ])
    func noMemoryLimitCountsStarts(file: String, starts: Int) throws {
        let report = try Self.fieldFixture(file)
        let f = try #require(report.findings.first { $0.kind == .noMemoryLimit })
        #expect(f.occurrences == starts)
    }

    @Test(arguments: [1, 3])
    func noMemoryLimitCountsStartsInline(starts: Int) throws {
        let start = """
            Calculating JVM memory based on 15637632K available memory
            For more information on this calculation, see https://paketo.io/docs/reference/java-reference/#memory-calculator
            Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -Xmx14998678K -XX:MaxMetaspaceSize=126953K -XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: 15637632K, Thread Count: 250, Loaded Class Count: 20000, Headroom: 0%)
            """
        let report = try analyze(Array(repeating: start, count: starts).joined(separator: "\n"))
        #expect(report.findings.first { $0.kind == .noMemoryLimit }?.occurrences == starts)
    }
}

extension FieldCheckTests {
    /// The exit code a kill's own log shows is the finding's, not only the summary's.
    @Test(arguments: [
        ("cf-crash-137.log", 137),
        ("heroku-r15-exit.log", 137),
    ])
    func oomKillExitCodeFromTheLog(file: String, exitCode: Int) throws {
        let report = try Self.fieldFixture(file)
        let f = try #require(report.findings.first { $0.kind == .containerOOMKilled })
        #expect(f.exitCode == exitCode)
    }
}

extension FieldCheckTests {
    /// §6: "Could not reserve enough space for … object heap" is a reservation the OS refused at start, not an
    /// OutOfMemoryError; the summary says so plainly.
    @Test(arguments: [
        ("Could not reserve enough space for 68718837782KB object heap",
         "The JVM could not start: it could not reserve enough space for a 68718837782KB object heap (the operating system refused the reservation; this is not an OutOfMemoryError)."),
        ("Could not reserve enough space for object heap",
         "The JVM could not start: it could not reserve enough space for the object heap (the operating system refused the reservation; this is not an OutOfMemoryError)."),
    ])
    func couldNotReserveHeapIsWordedPlainly(line: String, headline: String) throws {
        let report = try analyze("Error occurred during initialization of VM\n\(line)")
        let f = try #require(report.findings.first { $0.kind == .jvmOutOfMemory })
        #expect(Narrative.headline(f) == headline)
        #expect(Narrative.details(f).first?.hasPrefix("The operating system refused the JVM native memory") == true)
    }
}

extension FieldCheckTests {
    /// §1.4 (libjvm#5): the bash-era script found no cgroup v1 file and passed an empty --total-memory: the
    /// calculator's configuration failed, not the memory size.
    @Test func bashScriptWithoutCgroupFileIsALaunchFailure() throws {
        let report = try Self.fieldFixture("bash-missing-cgroup.log")
        #expect(report.findings.map(\.kind) == [.launchFailure])
        #expect(report.findings.first?.detail == "the memory calculator failed before it could size the JVM: "
            + "/sys/fs/cgroup/memory/memory.limit_in_bytes does not exist, so no --total-memory could be read from it: "
            + #"invalid argument "" for "--total-memory" flag"#)
        #expect(report.findings.first?.severity == .failure)
    }
}

extension FieldCheckTests {
    /// §2.5, §6: a decimal -Xmx stops the JVM before it starts; a launch failure with the plain cause.
    @Test(arguments: [
        ("field/invalid-xmx.log",
         "the JVM rejected -Xmx1.5g: it is not a valid maximum heap size; sizes are whole numbers with an optional k, m, g or t (for example -Xmx1536m, not -Xmx1.5g)"),
    ])
    func invalidMaximumHeapSize(file: String, detail: String) throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url(file).path], options: DiagnosisOptions())
        #expect(report.findings.map(\.kind) == [.launchFailure])
        #expect(report.findings.first?.detail == detail)
    }

    @Test func invalidMaximumHeapSizeWithoutDecimals() throws {
        let report = try analyze("Invalid maximum heap size: -Xmx99999999999999g")
        #expect(report.findings.first?.detail == "the JVM rejected -Xmx99999999999999g: it is not a valid maximum heap size")
    }
}

extension FieldCheckTests {
    /// memory-calculator.md §7: a non-round K figure without a "Calculating" line is no limit; a decimal one is a limit
    /// (and then warned about as decimal units); a round one is a limit.
    @Test(arguments: [
        ("fixed memory regions require 624792K which is greater than 610473K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=112792K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
         false, false),
        ("fixed memory regions require 632382K which is greater than 488281K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
         true, true),
        ("fixed memory regions require 632382K which is greater than 600M available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads",
         true, false),
    ])
    func limitVisibleFromTheAvailableFigure(line: String, visible: Bool, decimalWarning: Bool) throws {
        let report = try analyze(line)
        let f = try #require(report.findings.first { $0.kind == .calculatorFailure })
        #expect(f.calculator?.limitVisible == visible)
        #expect(report.findings.contains { $0.kind == .decimalMemoryLimit } == decimalWarning)
    }

    /// log-formats.md §10.5: `Limits: memory: 2G` in `kubectl describe` is 2,000,000,000 bytes, not 2Gi.
    @Test func kubectlDescribeDecimalLimit() throws {
        let report = try Self.fieldFixture("describe-pod-2G.txt")
        #expect(report.findings.map(\.kind).contains(.containerOOMKilled))
        let f = try #require(report.findings.first { $0.kind == .decimalMemoryLimit })
        #expect(f.detail?.hasPrefix("Limits: memory: 2G is 2,000,000,000 bytes: a decimal 2G") == true)
        #expect(f.severity == .warning)
    }
}

extension FieldCheckTests {
    /// §2.3, §5.2: CF v3 rounds to the nearest KiB; Java 7's PermGen is 7,000,000 B + 6,000 B a class.
    @Test(arguments: [
        // 7,000,000 + 6,000 × 10,000 = 67,000,000 B = 65,429.7K → 65430K.
        ("Cannot calculate JVM memory configuration: There is insufficient memory remaining for heap. Memory limit 256M is less than allocated memory 380822K (-XX:ReservedCodeCacheSize=48M, -XX:MaxDirectMemorySize=10M, -XX:MaxPermSize=65430K, -Xss1M * 250 threads)",
         10_000, Int64(67_000_000)),
        // 14,000,000 + 5,800 × 15,000 = 101,000,000 B = 98,632.8K → 98633K (v3.2–v3.9, with a compressed class space).
        ("Cannot calculate memory: insufficient memory remaining for heap. Memory limit 512M < allocated memory 679899K (-XX:ReservedCodeCacheSize=240M, -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=98633K, -XX:CompressedClassSpaceSize=18066K, -Xss1M * 300 threads)",
         15_000, Int64(101_000_000)),
    ])
    func cfV3ClassCounts(line: String, classes: Int, metaspace: Int64) throws {
        let report = try analyze(line)
        let c = try #require(report.findings.first { $0.kind == .calculatorFailure }?.calculator)
        #expect(c.loadedClassCount == classes)
        #expect(c.regions.metaspaceBytes == metaspace)
    }

    /// log-formats.md §11.3: Cloud Run's OOM line names its limit; it is a kill at that limit, with no exit code
    /// printed (the narrative used to say 137 anyway).
    @Test(arguments: [("Memory limit of 512 MiB exceeded with 516 MiB used.", Int64(512) << 20),
                      ("Memory limit of 1G exceeded with 1100M used.", Int64(1) << 30)])
    func cloudRunMemoryLimitExceeded(line: String, limit: Int64) throws {
        let f = try #require(try analyze(line).findings.first)
        #expect(f.kind == .containerOOMKilled)
        #expect(f.memoryLimitBytes == limit)
        #expect(f.exitCode == nil)
        #expect(!Narrative.headline(f).contains("exit code"))
    }

    @Test func cloudRunExportIsRead() throws {
        let report = try Self.fieldFixture("cloud-run-oom.json")
        #expect(report.findings.map(\.kind) == [.containerOOMKilled])
        #expect(report.findings.first?.memoryLimitBytes == 536_870_912)
    }

    /// log-formats.md §8.6: a raw EventBridge "ECS Task State Change" (not wrapped in a CloudWatch export) whose
    /// container reason is the OOM kill was read as 0 records.
    @Test func rawEventBridgeTaskStateChange() throws {
        let report = try Self.fieldFixture("eventbridge-raw.json")
        let f = try #require(report.findings.first)
        #expect(report.findings.count == 1)
        #expect(f.kind == .containerOOMKilled)
        #expect(f.source == "service:orders-api/app")
        #expect(f.exitCode == 137)
        #expect(f.memoryLimitBytes == 768 << 20)
        #expect(f.platform == .ecsFargate)
    }
}
