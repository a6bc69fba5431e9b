import Testing

@testable import MemfitCore

@Suite struct RecommenderTests {
    @Test(arguments: [(Int64(512), 512, 256), (513, 1024, 256), (1025, 2048, 256), (2049, 3072, 512), (4097, 5120, 1024),
                      (8193, 9216, 2048), (16385, 17408, 4096), (30721, 32768, 8192), (61441, 65536, 16384)])
    func fargateGrid(_ need: Int64, _ memory: Int, _ cpu: Int) {
        #expect(FargateSizes.smallest(atLeast: need) == FargateSizes.Size(cpuUnits: cpu, memoryMiB: memory))
    }

    @Test func fargateHasNothingAbove120GB() {
        #expect(FargateSizes.smallest(atLeast: 122_881) == nil)
    }

    static let seedNeeds = MemoryNeeds(
        directMemory: 10 << 20, metaspace: 123_272_000, codeCache: 240 << 20, stack: 1 << 20, threadCount: 250,
        headroomPercent: 0, userHeap: nil)

    @Test(arguments: [(Platform.ecsFargate, 1024), (.kubernetes, 768), (.docker, 768), (.heroku, 1024), (.generic, 768)])
    func roundsToThePlatform(_ platform: Platform, _ memory: Int) throws {
        let r = try #require(Recommender.recommend(
            needs: Self.seedNeeds, platform: platform, minHeap: .mebibytes(128), limitVisible: true, current: nil))
        #expect(r.memoryMiB == memory)
        #expect(r.containerLimitAdvice == nil)
        #expect(r.heapBytes == Int64(memory) * 1_048_576 - Self.seedNeeds.fixed)
    }

    @Test func headroomRaisesTheTarget() throws {
        var needs = Self.seedNeeds
        needs.headroomPercent = 10
        let r = try #require(Recommender.recommend(
            needs: needs, platform: .generic, minHeap: .mebibytes(128), limitVisible: true, current: nil))
        // (632382.8K + 128M) / 0.9 = 826.7 MiB → 832 MiB
        #expect(r.memoryMiB == 832)
        #expect(needs.fits(in: r.targetBytes, minHeap: 128 << 20))
    }

    /// Regression: a headroom of 100% made the search for a size loop for ever.
    @Test func fullHeadroomHasNoRecommendation() {
        var needs = Self.seedNeeds
        needs.headroomPercent = 100
        #expect(Recommender.recommend(needs: needs, platform: .generic, minHeap: .mebibytes(128), limitVisible: true, current: nil) == nil)
    }

    @Test func everyAlternativeActuallyFits() {
        let current: Int64 = 616_300 * 1024
        let alternatives = Recommender.alternatives(needs: Self.seedNeeds, platform: .ecsFargate, minHeap: 128 << 20, current: current)
        #expect(alternatives.count == 3)
        #expect(alternatives[0].change.hasPrefix("BPL_JVM_THREAD_COUNT=106 "))
        #expect(alternatives[1].change.hasPrefix("-Xss384K "))
        for a in alternatives { #expect(a.heapBytes >= 128 << 20) }
    }

    @Test func aUserHeapIsLoweredFirst() {
        var needs = Self.seedNeeds
        needs.threadCount = 50
        needs.userHeap = 400 << 20
        let alternatives = Recommender.alternatives(needs: needs, platform: .heroku, minHeap: 128 << 20, current: 640 << 20)
        // 640M − 417.5M of fixed regions leaves room for -Xmx222M.
        #expect(alternatives.first?.change.hasPrefix("-Xmx222M ") == true)
        #expect(alternatives.first?.heapBytes == 222 << 20)
    }
}

@Suite struct DiagnosisTests {
    @Test func repeatsFromOneSourceAreOneFindingAtTheirWorst() throws {
        let log = """
            api-1  | Calculating JVM memory based on 611008K available memory
            api-1  | fixed memory regions require 627772K which is greater than 611008K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=115772K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads
            api-1  | Calculating JVM memory based on 598000K available memory
            api-1  | fixed memory regions require 627772K which is greater than 598000K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=115772K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads
            api-1  | fixed memory regions require 627772K which is greater than 611008K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=115772K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads
            web-1  | fixed memory regions require 627772K which is greater than 600M available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=115772K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads
            """
        let report = try analyze(log)
        #expect(report.findings.count == 2)
        let api = try #require(report.findings.first { $0.source == "api-1" })
        #expect(api.occurrences == 3)
        #expect(api.calculator?.availableBytes == Int64(598_000 * 1024))
        #expect(api.calculator?.limitVisible == false)
        #expect(api.availableRange == Int64(598_000 * 1024)...Int64(611_008 * 1024))
        let web = try #require(report.findings.first { $0.source == "web-1" })
        #expect(web.calculator?.limitVisible == true)
        #expect(web.platform == .docker)
    }

    /// memory-calculator.md §7: a non-round K "available" figure means no cgroup limit, even without the
    /// "Calculating JVM memory" line (a decimal limit such as 488281K is the exception, and is a limit).
    @Test func anUnroundFigureWithoutTheCalculatingLineIsNoLimit() throws {
        let report = try analyze(
            "fixed memory regions require 632382K which is greater than 616300K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads")
        let c = try #require(report.findings.first?.calculator)
        #expect(c.limitVisible == false)
        #expect(report.findings.first?.platform == .generic)
        #expect(report.findings.first?.recommendation?.memoryMiB == 768)
    }

    @Test func nonHeapFailureCountsTheHeadroom() throws {
        let report = try analyze(
            "non-heap memory regions require 717528K which is greater than 700M available for allocation: 35M headroom, -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=169688K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads")
        let f = try #require(report.findings.first)
        let c = try #require(f.calculator)
        #expect(c.check == .nonHeap)
        #expect(c.headroomPercent == 5)
        #expect(abs(try #require(c.requiredBytes) - 717_528 * 1024) < 1024)
        // (fixed 682,688K + 128M) / 0.95 → 856.5 MiB → 896 MiB
        #expect(f.recommendation?.memoryMiB == 896)
    }

    @Test func allFailureMeansTheUserHeapIsInTheTotal() throws {
        let report = try analyze(
            "all memory regions require 273310K which is greater than 272287K available for allocation: -Xmx1M, 0 headroom, -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=14M, -XX:ReservedCodeCacheSize=240M, -Xss1M * 7 threads")
        let c = try #require(report.findings.first?.calculator)
        #expect(c.check == .all)
        #expect(c.heapUserSet)
        #expect(c.regions.heapBytes == 1 << 20)
    }

    @Test func oldestCFv4WordingHasNoRequiredFigure() throws {
        let report = try analyze(
            "allocated memory is greater than 512M available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=102790K, -XX:ReservedCodeCacheSize=240M, -Xss1M x 250 threads")
        let c = try #require(report.findings.first?.calculator)
        #expect(c.generation == .cfV4)
        #expect(c.requiredBytes == Int64(10_485_760 + 105_257_200 + 251_658_240 + 262_144_000))
    }

    @Test func cfV2HasNoNumbersButIsStillAFailure() throws {
        let report = try analyze("Cannot balance memory: total memory 256M is too small")
        #expect(report.findings.first?.kind == .calculatorFailure)
        #expect(report.findings.first?.calculator == nil)
    }

    @Test func wrapperAloneIsACalculatorFailureWithoutArithmetic() throws {
        let report = try analyze(
            "ERROR: failed to launch: exec.d: failed to execute exec.d file at path '/layers/paketo-buildpacks_adoptium/helper/exec.d/memory-calculator': exit status 1")
        let f = try #require(report.findings.first)
        #expect(f.kind == .calculatorFailure)
        #expect(f.vendor == "paketo-buildpacks/adoptium")
        #expect(f.calculator == nil)
    }

    @Test func classCountErrorIsALaunchFailureNotASizeProblem() throws {
        let report = try analyze("""
            unable to determine class count
            ERROR: failed to launch: exec.d: failed to execute exec.d file at path '/layers/paketo-buildpacks_bellsoft-liberica/helper/exec.d/memory-calculator': exit status 1
            """)
        #expect(report.findings.map(\.kind) == [.launchFailure])
    }

    @Test func harmlessMaxWarningIsNotReported() throws {
        let report = try analyze(#"WARNING: Unable to convert memory limit "max" from path "/sys/fs/cgroup/memory.max" as int: memory size "max" does not match pattern "^([\\d]+)([kmgtKMGT]?)$""#)
        #expect(report.findings.isEmpty)
    }

    @Test func oldUnsetWordingWithoutWarningPrefix() throws {
        let report = try analyze("Container memory limit unset. Configuring JVM for 1G container.")
        #expect(report.findings.map(\.kind) == [.noMemoryLimit])
    }

    /// p08: how far the start was from failing.
    @Test func nearMissSaysWhatWouldTipIt() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("p08-success-near-miss.log").path], options: DiagnosisOptions())
        let f = try #require(report.findings.first)
        #expect(f.kind == .calculatorNearMiss)
        // heap 120727K = 123,624,448 B / 5,800 B a class → 21,315 classes; 730M − 641,835,400 B of fixed regions → 118 MiB.
        #expect(f.margin == Finding.Margin(moreClasses: 21_315, lessMemoryMiB: 118))
    }

    /// The near-miss rules: heap under the minimum, heap under 15% of the total (fixed regions within 10% of the
    /// total always leave less than that).
    @Test(arguments: [
        ("-Xmx120727K", "730M", "0%", true),  // under 128M
        ("-Xmx300000K", "2000000K", "0%", false),  // exactly 15% and well above 128M
        ("-Xmx1474M", "2G", "0%", false),
        ("-Xmx150M", "1200M", "0%", true),  // 12.5% of the total
    ])
    func nearMissRules(_ xmx: String, _ total: String, _ headroom: String, _ near: Bool) throws {
        let line = "Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M \(xmx) -XX:MaxMetaspaceSize=20000K "
            + "-XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: \(total), Thread Count: 250, Loaded Class Count: 1000, Headroom: \(headroom))"
        let report = try analyze(line)
        #expect(report.findings.contains { $0.kind == .calculatorNearMiss } == near)
    }

    /// Three starts of one service: the class count grew by 340 and free memory moved; only the smallest figure fails.
    @Test func driftBetweenStarts() throws {
        let report = try Analyzer().analyze(
            paths: [Fixtures.url("nearmiss/drift-three-starts.log").path], options: DiagnosisOptions())
        let failure = try #require(report.findings.first { $0.kind == .calculatorFailure })
        let drift = try #require(failure.drift)
        #expect(drift.loadedClassCounts == [18_840, 19_180])
        #expect(drift.availableBytes == [Int64(616_300 * 1024), Int64(640_000 * 1024), Int64(700_000 * 1024)])
        #expect(drift.failsAt == [Int64(616_300 * 1024)])
        let text = TextReporter(color: false).render(report)
        #expect(text.contains("+340 classes since the previous start (18,840 → 19,180): +1.9 MiB of metaspace."))
        #expect(text.contains("it fails at 1 of these 3 figures"))
    }

    /// A Kubernetes "2G" limit is 2,000,000,000 bytes, printed 1953124K: probably meant 2Gi.
    @Test func decimalLimit() throws {
        let report = try Analyzer().analyze(paths: [Fixtures.url("nearmiss/decimal-2G-limit.log").path], options: DiagnosisOptions())
        let f = try #require(report.findings.first { $0.kind == .decimalMemoryLimit })
        #expect(f.detail?.contains("You probably meant 2Gi") == true)
        #expect(DecimalLimit.meant(1_953_124 * 1024)?.binary == "2Gi")
        #expect(DecimalLimit.meant(488_280 * 1024)?.decimal == "500M")
        #expect(DecimalLimit.meant(616_300 * 1024) == nil)
        #expect(DecimalLimit.meant(2 << 30) == nil)
    }

    /// The build sets BPL_JVM_THREAD_COUNT 100; the run used 250: BPL_* is read at launch.
    @Test func launchSettingFromTheBuildIgnored() throws {
        let report = try Analyzer().analyze(
            paths: [Fixtures.url("nearmiss/build-sets-threads.log").path, Fixtures.url("p08-success-near-miss.log").path],
            options: DiagnosisOptions())
        let f = try #require(report.findings.first { $0.kind == .launchSettingIgnored })
        #expect(f.detail == "the build log sets $BPL_JVM_THREAD_COUNT 100, but the calculator ran with Thread Count: 250")
        #expect(f.evidence.count == 2)
    }

    static let fargateSuccess = "Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -Xmx14989810K "
        + "-XX:MaxMetaspaceSize=120382K -XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: 15637632K, Thread Count: 250, "
        + "Loaded Class Count: 18840, Headroom: 0%)"

    /// libjvm#86: on Fargate the calculator saw the VM's 15 GB of free memory, not the task's size.
    @Test(arguments: [
        ("Calculating JVM memory based on 15637632K available memory", "free memory"),
        ("WARNING: Container memory limit too large. Configuring JVM for 64T container.", "clamped it to 64T"),
        ("WARNING: Unable to determine memory limit. Configuring JVM for 1G container.", "assumed 1G"),
    ])
    func noMemoryLimitOnASuccessfulStart(_ line: String, _ phrase: String) throws {
        let report = try analyze("6/13/2023, 4:51:44 PM GMT+1 " + line + "\n6/13/2023, 4:51:44 PM GMT+1 " + Self.fargateSuccess)
        let f = try #require(report.findings.first { $0.kind == .noMemoryLimit })
        #expect(f.severity == .warning)
        #expect(f.platform == .ecsFargate)
        #expect(f.detail?.contains(phrase) == true)
        let text = TextReporter(color: false).render(report)
        #expect(text.contains("On ECS the JVM is then sized for the VM, not the task"))
    }

    @Test func noLaunchLinesMeansNothingToReport() throws {
        let report = try analyze("hello\nworld\n")
        #expect(report.findings.isEmpty)
        #expect(report.inputs.first?.records == 2)
        #expect(TextReporter(color: false).render(report).contains("Nothing to report"))
    }

    @Test func forcedPlatformWins() throws {
        let seed = String(decoding: try Fixtures.data("p01-seed-console-paste.txt"), as: UTF8.self)
        let report = try analyze(seed, options: DiagnosisOptions(platform: .kubernetes))
        #expect(report.findings.first?.recommendation?.memoryMiB == 768)
        #expect(report.findings.first?.recommendation?.containerLimitAdvice?.contains("resources.limits.memory") == true)
    }

    @Test func currentMemoryDrivesTheAlternatives() throws {
        let seed = String(decoding: try Fixtures.data("p01-seed-console-paste.txt"), as: UTF8.self)
        let report = try analyze(seed, options: DiagnosisOptions(currentMemory: .mebibytes(512)))
        let r = try #require(report.findings.first?.recommendation)
        #expect(r.currentBytes == 512 << 20)
        #expect(r.alternatives.allSatisfy { $0.memoryMiB == 512 && $0.heapBytes >= 128 << 20 })
    }
}
