public struct DiagnosisOptions: Sendable {
    /// The smallest heap worth starting with; a success below it is a near miss.
    public var minHeap: MemorySize = .mebibytes(128)
    /// Forces the platform instead of inferring it from the input.
    public var platform: Platform?
    /// The container's current size, for alternatives that keep it.
    public var currentMemory: MemorySize?

    public init(minHeap: MemorySize = .mebibytes(128), platform: Platform? = nil, currentMemory: MemorySize? = nil) {
        self.minHeap = minHeap
        self.platform = platform
        self.currentMemory = currentMemory
    }
}

/// Stage 5, diagnose: turns the facts of each source into findings. Pure.
public enum Diagnoser {
    public static func diagnose(
        _ ledger: FactLedger, options: DiagnosisOptions, inputHints: [String: Platform] = [:]
    ) -> [Finding] {
        var findings: [Finding] = []
        // CF staging lines come from another source ([STG/0]) than the app's ([APP/PROC/WEB/0]): the headroom
        // staging printed applies to the app of the same input.
        var stagingHeadroom: [String: Int] = [:]
        for source in ledger.sources {
            for entry in source.entries {
                if case .stagingHeadroom(let percent) = entry.first.payload { stagingHeadroom[entry.first.evidence.input] = percent }
            }
        }
        for source in ledger.sources {
            findings += diagnose(source, options: options, inputHints: inputHints, stagingHeadroom: stagingHeadroom)
        }
        findings += ignoredLaunchSettings(ledger, options: options, inputHints: inputHints)
        // Failures first; otherwise the order of the input.
        return findings.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset
        }.map(\.element)
    }

    /// What one source's facts say about how the calculator found its memory.
    struct LimitEvidence {
        var sizedFrom: [MemorySize] = []
        var assumedBecauseUnset: MemorySize?
        var clampedTooLarge = false
        var sawAvailableLink = false
        var entries: [FactLedger.Entry] = []

        var calculatorSawNoLimit: Bool { !sizedFrom.isEmpty || assumedBecauseUnset != nil || clampedTooLarge || sawAvailableLink }

        /// memory-calculator.md §7: a "Calculating …" line or a non-round K figure means no cgroup limit; a round M/G
        /// figure, or a decimal one (Kubernetes "500M" = 488281K, log-formats.md §10.5), is a real limit.
        func limitVisible(available: MemorySize) -> Bool? {
            if calculatorSawNoLimit { return false }
            return available.isWholeMebibytes || DecimalLimit.meant(available.bytes) != nil
        }
    }

    static func diagnose(
        _ source: FactLedger.SourceFacts, options: DiagnosisOptions, inputHints: [String: Platform],
        stagingHeadroom: [String: Int] = [:]
    ) -> [Finding] {
        let entries = source.entries
        let (platform, platformReason) = options.platform.map { ($0, "--platform") } ?? inferPlatform(entries, inputHints: inputHints)
        var limits = LimitEvidence()
        var wrappers: [FactLedger.Entry] = []
        var headers: [FactLedger.Entry] = []
        var failures: [(entry: FactLedger.Entry, failure: PrintedFailure)] = []
        var configurations: [(entry: FactLedger.Entry, configuration: PrintedConfiguration)] = []
        var others: [FactLedger.Entry] = []
        /// Regions set in JAVA_TOOL_OPTIONS: fixed inputs the calculator leaves out of its success line (§2.5).
        var userSet = PrintedRegions()
        var exitStatus: Int?
        for entry in entries {
            switch entry.first.payload {
            case .regionsDoNotFit(let f): failures.append((entry, f))
            case .sizedFromAvailableMemory(let size): limits.sizedFrom.append(size); limits.entries.append(entry)
            case .limitUnset(let assumed): limits.assumedBecauseUnset = assumed; limits.entries.append(entry)
            case .limitTooLarge: limits.clampedTooLarge = true; limits.entries.append(entry)
            case .availableMemoryLink: limits.sawAvailableLink = true; limits.entries.append(entry)
            case .execdMemoryCalculatorFailed: wrappers.append(entry)
            case .calculationFailedHeader: headers.append(entry)
            case .calculatedConfiguration(let c): configurations.append((entry, c))
            case .javaToolOptions(let r): userSet = r
            case .processExited(let status): exitStatus = status
            case .limitUnconvertible, .testcontainersDump, .launchSettingAtBuild: break
            default: others.append(entry)
            }
        }
        let vendor = wrappers.lazy.compactMap { entry -> String? in
            if case .execdMemoryCalculatorFailed(let vendor, _, _) = entry.first.payload { return vendor }
            return nil
        }.first
        var base = Finding(
            kind: .calculatorFailure, severity: .failure, source: source.key.source, occurrences: 0, calculator: nil,
            recommendation: nil, evidence: [], platform: platform, platformReason: platformReason, vendor: vendor)
        var findings: [Finding] = []

        // Calculator failures: repeats of one generation are one finding, reported at its worst (least memory).
        var generations: [CalculatorGeneration] = []
        for f in failures where !generations.contains(f.failure.generation) { generations.append(f.failure.generation) }
        for generation in generations {
            let group = failures.filter { $0.failure.generation == generation }
            let worst = group.min { ($0.failure.available?.bytes ?? .max) < ($1.failure.available?.bytes ?? .max) }!
            var finding = base
            finding.occurrences = group.reduce(0) { $0 + $1.entry.count }
            finding.calculator = calculatorFailure(
                worst.failure, limits: limits, stagingHeadroomPercent: stagingHeadroom[worst.entry.first.evidence.input])
            let lows = group.compactMap(\.entry.lowest), highs = group.compactMap(\.entry.highest)
            if let low = lows.min(), let high = highs.max(), low != high { finding.availableRange = low...high }
            if let calc = finding.calculator, let needs = needs(for: worst.failure, calc: calc) {
                finding.recommendation = Recommender.recommend(
                    needs: needs, platform: platform, minHeap: options.minHeap, limitVisible: calc.limitVisible,
                    current: current(options: options, calc: calc))
            }
            finding.evidence = orderedEvidence([worst.entry] + headers + limits.entries + wrappers)
            stamp(&finding, group.map(\.entry))
            findings.append(finding)
        }

        // Failures that are not about memory size, or where the calculator's own message is missing.
        // The calculator's own errors (a bad BPL_* value, classes it could not count) are one finding per source,
        // with their chain of causes ("unable to determine class count: unable to walk /workspace: …").
        let calculatorErrors = others.filter { if case .calculatorError = $0.first.payload { return true }; return false }
        if !calculatorErrors.isEmpty {
            let causes = calculatorErrors.compactMap { entry -> String? in
                if case .calculatorError(let cause) = entry.first.payload { return cause }
                return nil
            }
            var finding = base
            finding.kind = .launchFailure
            finding.detail = "the memory calculator failed before it could size the JVM: \(causes.joined(separator: ": "))"
            finding.occurrences = calculatorErrors.map(\.count).max() ?? 1
            finding.evidence = orderedEvidence(calculatorErrors + wrappers)
            stamp(&finding, calculatorErrors)
            findings.append(finding)
        }
        if failures.isEmpty && calculatorErrors.isEmpty, let wrapper = wrappers.first {
            var finding = base
            finding.detail = "the memory calculator exited with an error, but its own message is not in the input"
            finding.occurrences = wrapper.count
            finding.evidence = orderedEvidence(headers + limits.entries + wrappers)
            stamp(&finding, wrappers)
            findings.append(finding)
        }
        base.vendor = nil
        let latestConfiguration = configurations.last
        // jvmkill's kill line follows its resource exhaustion event: one failure, not two.
        let outOfMemory = others.filter { if case .jvmOutOfMemory = $0.first.payload { return true }; return false }
        if outOfMemory.count > 1 {
            others.removeAll { if case .jvmOutOfMemory(Narrative.jvmkillKilled) = $0.first.payload { return true }; return false }
        }
        for entry in others {
            var finding = base
            finding.occurrences = entry.count
            finding.evidence = [entry.first.evidence]
            stamp(&finding, [entry])
            switch entry.first.payload {
            case .execdOtherFailed(let path, let cause):
                finding.kind = .launchFailure
                finding.detail = "an exec.d helper (\(path)) failed to run: \(cause)"
                finding.evidence = [entry.first.evidence]
            case .memoryQuotaExceeded:
                finding.kind = .memoryQuotaExceeded
                finding.severity = .warning
            case .launcherFailed(let cause):
                finding.kind = .launchFailure
                finding.detail = "the launcher failed: \(cause)"
            case .jvmOptionRejected(let cause):
                finding.kind = .launchFailure
                finding.detail = cause
            case .jvmOutOfMemory(let what):
                finding.kind = .jvmOutOfMemory
                finding.detail = what
                if let latestConfiguration {
                    finding.calculator = calculatorFromConfiguration(latestConfiguration.configuration, limits: limits, userSet: userSet)
                    finding.evidence = orderedEvidence([latestConfiguration.entry, entry])
                }
            case .containerOOMKilled(let how, let attributes):
                finding.kind = .containerOOMKilled
                finding.detail = how
                finding.memoryLimitBytes = attributes?.memoryLimitBytes
                finding.memoryLimitSource = attributes?.memoryLimitSource
                finding.exitCode = attributes?.exitCode ?? exitStatus
            case .userRule(let hit):
                finding.kind = .userRule
                finding.severity = hit.severity
                finding.rule = hit
                finding.detail = hit.message
            default:
                continue
            }
            findings.append(finding)
        }

        // Successful starts: near misses leave less heap than the minimum.
        let nearMisses = configurations.filter { isNearMiss($0.configuration, minHeap: options.minHeap, userSet: userSet) }
        if let worst = nearMisses.min(by: { $0.configuration.regions.heap! < $1.configuration.regions.heap! }) {
            var finding = base
            finding.kind = .calculatorNearMiss
            finding.severity = .warning
            // Starts that were near misses, from the recorded samples when they cover every start.
            finding.occurrences = nearMisses.reduce(0) { total, c in
                guard c.entry.samples.count == c.entry.count else { return total + c.entry.count }
                return total + c.entry.samples.filter { s in
                    guard let heap = s.heap else { return false }
                    return heap < options.minHeap.bytes || Double(heap) < 0.15 * Double(s.available)
                }.count
            }
            let calc = calculatorFromConfiguration(worst.configuration, limits: limits, userSet: userSet)
            finding.calculator = calc
            finding.margin = margin(worst.configuration, userSet: userSet)
            finding.recommendation = Recommender.recommend(
                needs: needs(for: worst.configuration, userSet: userSet), platform: platform, minHeap: options.minHeap,
                limitVisible: calc.limitVisible, current: current(options: options, calc: calc))
            finding.evidence = orderedEvidence([worst.entry] + limits.entries)
            stamp(&finding, nearMisses.map(\.entry))
            findings.append(finding)
        }

        attachDrift(to: &findings, failures: failures.map(\.entry), configurations: configurations.map(\.entry), limits: limits)

        // A limit that is a decimal number of bytes: Kubernetes "2G" is 2,000,000,000 B, printed 1953124K.
        if !limits.calculatorSawNoLimit {
            let totals = failures.compactMap { f in f.failure.available.map { ($0, f.entry) } }
                + configurations.map { ($0.configuration.total, $0.entry) }
            if let (total, entry) = totals.first(where: { DecimalLimit.meant($0.0.bytes) != nil }),
               let meant = DecimalLimit.meant(total.bytes) {
                var finding = base
                finding.kind = .decimalMemoryLimit
                finding.severity = .warning
                finding.occurrences = entry.count
                finding.detail = decimalLimitDetail(written: "\(total)", bytes: total.bytes, meant: meant)
                finding.evidence = [entry.first.evidence]
                stamp(&finding, [entry])
                findings.append(finding)
            }
        }

        // A kill at a limit written in decimal units (`kubectl describe`'s "Limits: memory: 2G"): the same warning.
        if !findings.contains(where: { $0.kind == .decimalMemoryLimit }),
           let killed = findings.first(where: { $0.kind == .containerOOMKilled && $0.memoryLimitBytes.flatMap(DecimalLimit.meant) != nil }),
           let bytes = killed.memoryLimitBytes, let meant = DecimalLimit.meant(bytes) {
            var finding = base
            finding.kind = .decimalMemoryLimit
            finding.severity = .warning
            finding.occurrences = killed.occurrences
            finding.detail = decimalLimitDetail(
                written: killed.memoryLimitSource ?? MemorySize(bytes: bytes).description, bytes: bytes, meant: meant)
            finding.evidence = killed.evidence
            finding.firstSeen = killed.firstSeen
            finding.lastSeen = killed.lastSeen
            findings.append(finding)
        }

        // No visible limit on a start that worked: the JVM is sized for the host, not the container.
        if failures.isEmpty && (limits.assumedBecauseUnset != nil || limits.clampedTooLarge || !limits.sizedFrom.isEmpty) {
            var finding = base
            finding.kind = .noMemoryLimit
            finding.severity = .warning
            // One per start: a start prints "Calculating …" and the "For more information" line, so count each kind of
            // line apart and take the most.
            var perKind: [String: Int] = [:]
            for entry in limits.entries {
                let kind: String
                switch entry.first.payload {
                case .sizedFromAvailableMemory: kind = "sized"
                case .availableMemoryLink: kind = "link"
                case .limitUnset: kind = "unset"
                default: kind = "too-large"
                }
                perKind[kind, default: 0] += entry.count
            }
            finding.occurrences = perKind.values.max() ?? 1
            if let assumed = limits.assumedBecauseUnset {
                finding.detail = "the calculator found neither a limit nor a free-memory figure, and assumed \(assumed)"
            } else if limits.clampedTooLarge {
                finding.detail = "the memory limit was above 64T (no real limit); the calculator clamped it to 64T"
            } else {
                finding.detail = "the calculator sized the JVM from free memory (\(limits.sizedFrom.map(\.description).joined(separator: ", "))), not from a limit"
            }
            if let c = latestConfiguration {
                let calc = calculatorFromConfiguration(c.configuration, limits: limits, userSet: userSet)
                finding.calculator = calc
                // The size to give it, and where to set the hard limit the calculator will then see.
                finding.recommendation = Recommender.recommend(
                    needs: needs(for: c.configuration, userSet: userSet), platform: platform, minHeap: options.minHeap, limitVisible: false,
                    current: nil)
                finding.evidence = orderedEvidence(limits.entries + [c.entry])
            } else {
                finding.evidence = orderedEvidence(limits.entries)
            }
            let sized = limits.entries.filter { if case .sizedFromAvailableMemory = $0.first.payload { return true }; return false }
            if let low = sized.compactMap(\.lowest).min(), let high = sized.compactMap(\.highest).max(), low != high {
                finding.availableRange = low...high
            }
            stamp(&finding, limits.entries)
            findings.append(finding)
        }
        if let drift = findings.first(where: { $0.drift != nil })?.drift, let last = findings.indices.last,
           findings[last].kind == .noMemoryLimit, findings[last].drift == nil {
            findings[last].drift = drift
        }
        return findings
    }

    /// With several starts of one source: how the class count moved, which memory figures the calculator had,
    /// and at which of them this source's requirement does not fit. Attached to the source's first calculator finding.
    static func attachDrift(
        to findings: inout [Finding], failures: [FactLedger.Entry], configurations: [FactLedger.Entry], limits: LimitEvidence
    ) {
        let starts = (failures + configurations).reduce(0) { $0 + $1.count }
        guard starts >= 2 else { return }
        var classes: [Int] = []
        for sample in (configurations + failures).flatMap(\.samples) {
            if let n = sample.loadedClasses, classes.last != n { classes.append(n) }
        }
        let figures = Set((failures + limits.entries).flatMap(\.samples).map(\.available)).sorted()
        guard let index = findings.firstIndex(where: { $0.calculator != nil }) else { return }
        let required = findings[index].calculator.flatMap { c -> Int64? in
            if let r = c.requiredBytes, findings[index].kind == .calculatorFailure { return r }
            return c.requiredBytes  // near miss: the non-heap part of a success
        }
        guard classes.count >= 2 || figures.count >= 2 else { return }
        findings[index].drift = Finding.Drift(
            loadedClassCounts: classes, availableBytes: figures,
            failsAt: required.map { r in figures.filter { $0 < r } } ?? [], requiredBytes: required)
    }

    /// Launch settings a build log shows that the run's calculator did not use (`BPL_*` is read at launch).
    static func ignoredLaunchSettings(_ ledger: FactLedger, options: DiagnosisOptions, inputHints: [String: Platform]) -> [Finding] {
        var settings: [(name: String, value: Int, entry: FactLedger.Entry)] = []
        /// What each run used: thread count and headroom (a failure line prints its threads; headroom only as bytes).
        var runs: [(threads: Int?, headroom: Int?, entry: FactLedger.Entry, source: FactLedger.SourceFacts)] = []
        for source in ledger.sources {
            for entry in source.entries {
                switch entry.first.payload {
                case .launchSettingAtBuild(let name, let value): settings.append((name, value, entry))
                case .calculatedConfiguration(let c): runs.append((c.threadCount, c.headroomPercent, entry, source))
                case .regionsDoNotFit(let f): runs.append((f.regions.threadCount, f.regions.headroom == nil ? 0 : nil, entry, source))
                default: continue
                }
            }
        }
        // A build log names no service: it is paired with runs only when they all come from one source, so a scan
        // of a mixed archive does not compare one service's build with every other service's starts.
        guard Set(runs.map(\.source.key)).count == 1 else { return [] }
        var findings: [Finding] = []
        for setting in settings {
            let defaultValue = setting.name == "BPL_JVM_THREAD_COUNT" ? MemoryCalculator.defaultThreadCount : 0
            guard setting.value != defaultValue else { continue }
            for run in runs {
                guard let used = setting.name == "BPL_JVM_THREAD_COUNT" ? run.threads : run.headroom, used != setting.value
                else { continue }
                let (platform, reason) = options.platform.map { ($0, "--platform") }
                    ?? inferPlatform(run.source.entries, inputHints: inputHints)
                let printed = setting.name == "BPL_JVM_THREAD_COUNT" ? "Thread Count: \(used)" : "Headroom: \(used)%"
                var finding = Finding(
                    kind: .launchSettingIgnored, severity: .warning, source: run.source.key.source, occurrences: run.entry.count,
                    calculator: nil, recommendation: nil, evidence: orderedEvidence([setting.entry, run.entry]),
                    platform: platform, platformReason: reason)
                finding.detail = "the build log sets $\(setting.name) \(setting.value), but the calculator ran with \(printed)"
                finding.launchSetting = Finding.LaunchSetting(name: setting.name, value: setting.value)
                stamp(&finding, [run.entry])
                findings.append(finding)
            }
        }
        return findings
    }

    /// The one wording of the decimal-limit warning, for a figure the calculator printed or a limit a kill names.
    static func decimalLimitDetail(written: String, bytes: Int64, meant: DecimalLimit.Meaning) -> String {
        "\(written) is \(groupedThousands(Int(bytes))) bytes: a decimal \(meant.decimal) (\(meant.decimal) = "
            + "\(meant.decimalBytes) bytes), \(MemorySize(bytes: meant.binaryBytes - bytes).humanReadable) less than "
            + "\(meant.binary). You probably meant \(meant.binary)"
    }

    /// A start that worked but will not survive a small change: a heap under the minimum or under 15% of the
    /// total, or fixed regions within 10% of the total.
    static func isNearMiss(_ c: PrintedConfiguration, minHeap: MemorySize, userSet: PrintedRegions = PrintedRegions()) -> Bool {
        guard let heap = c.regions.heap else { return false }
        let total = Double(c.total.bytes)
        let fixed = Double(needs(for: c, userSet: userSet).fixed)
        return heap < minHeap || Double(heap.bytes) < 0.15 * total || fixed >= 0.9 * total
    }

    /// How far a successful start is from failing: more loaded classes, or less memory.
    static func margin(_ c: PrintedConfiguration, userSet: PrintedRegions = PrintedRegions()) -> Finding.Margin? {
        guard let heap = c.regions.heap?.bytes, heap >= 0 else { return nil }
        let n = needs(for: c, userSet: userSet)
        let keep = 1 - Double(c.headroomPercent) / 100
        guard keep > 0 else { return nil }
        // Fails once the fixed regions (plus headroom) pass the total: each class adds 5,800 B of metaspace.
        // A user-set metaspace (left out of the line) does not grow with the classes: no class margin then.
        let classes = c.regions.metaspace == nil ? nil : Int(heap / MemoryCalculator.classSize) + 1
        let lessBytes = Double(c.total.bytes) - Double(n.fixed) / keep
        let lessMiB = lessBytes > 0 ? Int64(lessBytes / Double(MemorySize.mebi)) + 1 : 0
        return Finding.Margin(moreClasses: classes, lessMemoryMiB: lessMiB)
    }

    /// The platform the source's lines point to, and why; then the input's first lines; then the wording.
    static func inferPlatform(_ entries: [FactLedger.Entry], inputHints: [String: Platform]) -> (Platform, String) {
        if let fact = entries.lazy.map(\.first).first(where: { $0.platformHint != nil }), let hint = fact.platformHint {
            return (hint, fact.platformReason ?? "from the shape of the log lines")
        }
        if let input = entries.first?.first.evidence.input, let hint = inputHints[input] {
            return (hint, "from the shape of the input's first lines")
        }
        let cfV3 = entries.contains { entry in
            if case .regionsDoNotFit(let f) = entry.first.payload { return f.generation == .cfV3 }
            return false
        }
        if cfV3 { return (.cloudFoundry, "from the Cloud Foundry calculator v3 wording") }
        return (.generic, "no platform is named in the log")
    }

    /// The failure's arithmetic in exact bytes. The calculator prints whole KiB; the metaspace it printed pins down
    /// the loaded class count, which gives the metaspace and the total to the byte.
    static func calculatorFailure(_ f: PrintedFailure, limits: LimitEvidence, stagingHeadroomPercent: Int? = nil) -> CalculatorFailure? {
        guard let available = f.available else { return nil }
        let r = f.regions
        var metaspace = r.metaspace?.bytes
        var classes: Int?
        if let printed = r.metaspace {
            let v3 = f.generation == .cfV3
            if r.permGen {
                let (overhead, size) = (MemoryCalculator.permGenOverhead, MemoryCalculator.permGenClassSize)
                if let n = MemoryCalculator.loadedClassCount(forPrinted: printed, overhead: overhead, perClass: size, roundedToNearest: v3) {
                    classes = n
                    metaspace = overhead + size * Int64(n)
                }
            } else if let n = v3
                ? MemoryCalculator.loadedClassCount(
                    forPrinted: printed, overhead: MemoryCalculator.classOverhead, perClass: MemoryCalculator.classSize, roundedToNearest: true)
                : MemoryCalculator.loadedClassCount(forPrintedMetaspace: printed) {
                classes = n
                metaspace = MemoryCalculator.metaspace(forLoadedClasses: n).bytes
            }
        }
        var required = f.required?.bytes
        if let direct = r.directMemory, let metaspace, let code = r.codeCache, let stack = r.stack, let threads = r.threadCount {
            var exact = direct.bytes + metaspace + code.bytes + stack.bytes * Int64(threads) + (r.compressedClassSpace?.bytes ?? 0)
            if f.check != .fixed || f.generation == .cfV4 {
                exact += (r.headroom?.bytes ?? 0) + (r.heap?.bytes ?? 0)
            }
            // Prefer the exact sum unless the printed total holds something unlisted (CF v4 adds its headroom).
            if let printed = required {
                if abs(printed - exact) < 2 * MemorySize.kibi { required = exact }
            } else {
                required = exact
            }
        }
        var regions = CalculatorFailure.Regions(
            directMemoryBytes: r.directMemory?.bytes, metaspaceBytes: metaspace, reservedCodeCacheBytes: r.codeCache?.bytes,
            threadStackBytes: r.stack.flatMap { s in r.threadCount.map { s.bytes * Int64($0) } },
            heapBytes: r.heap?.bytes, headroomBytes: r.headroom?.bytes)
        let listed = regions.listedBytes + (r.heap != nil ? max(0, r.heap!.bytes) : 0)
        var percent: Int?
        var check = f.check
        if let headroom = r.headroom, available.bytes > 0 {
            let value = (Double(headroom.bytes) / Double(available.bytes) * 100).rounded()
            if value >= 0 && value <= 100 { percent = Int(value) }
        }
        // CF v4 counts its headroom in "required" but does not list it (memory-calculator.md §5.3): the remainder is
        // the headroom when it is int(N% × available) for the N staging printed, or for a whole N when staging is not
        // in the input.
        if f.generation == .cfV4, r.headroom == nil, let printed = required, available.bytes > 0, printed - listed > MemorySize.mebi {
            let remainder = printed - listed
            let n = stagingHeadroomPercent ?? Int((Double(remainder) / Double(available.bytes) * 100).rounded())
            let headroom = Int64(Double(n) / 100 * Double(available.bytes))
            if (1...99).contains(n), abs(remainder - headroom) < 2 * MemorySize.kibi {
                regions.headroomBytes = headroom
                percent = n
                required = listed + headroom
                if check == .fixed { check = .nonHeap }
            }
        }
        let listedNow = regions.listedBytes + (r.heap != nil ? max(0, r.heap!.bytes) : 0)
        if let required, required - listedNow > MemorySize.mebi { regions.unlistedBytes = required - listedNow }
        return CalculatorFailure(
            generation: f.generation, check: check, availableBytes: available.bytes, requiredBytes: required,
            shortfallBytes: required.map { $0 - available.bytes }, limitVisible: limits.limitVisible(available: available),
            threadCount: r.threadCount, loadedClassCount: classes, loadedClassCountDerived: classes != nil,
            regions: regions, stackBytes: r.stack?.bytes, heapUserSet: r.heap != nil, headroomPercent: percent,
            printedAvailable: f.available?.description, printedRequired: f.required?.description,
            printedMetaspace: r.metaspace?.description)
    }

    static func calculatorFromConfiguration(
        _ c: PrintedConfiguration, limits: LimitEvidence, userSet: PrintedRegions = PrintedRegions()
    ) -> CalculatorFailure {
        let r = c.regions
        let metaspace = r.metaspace.map { _ in MemoryCalculator.metaspace(forLoadedClasses: c.loadedClassCount).bytes }
            ?? userSet.metaspace?.bytes
        let headroom = Int64((Double(c.headroomPercent) / 100) * Double(c.total.bytes))
        return CalculatorFailure(
            generation: c.generation, check: nil, availableBytes: c.total.bytes,
            requiredBytes: r.heap.flatMap { $0 <= c.total ? c.total.bytes - $0.bytes : nil }, shortfallBytes: nil,
            limitVisible: limits.limitVisible(available: c.total), threadCount: c.threadCount,
            loadedClassCount: c.loadedClassCount, loadedClassCountDerived: false,
            regions: .init(
                directMemoryBytes: (r.directMemory ?? userSet.directMemory)?.bytes, metaspaceBytes: metaspace,
                reservedCodeCacheBytes: (r.codeCache ?? userSet.codeCache)?.bytes,
                threadStackBytes: (r.stack ?? userSet.stack).map { $0.bytes * Int64(c.threadCount) }, heapBytes: r.heap?.bytes,
                headroomBytes: headroom),
            stackBytes: (r.stack ?? userSet.stack)?.bytes, heapUserSet: false, headroomPercent: c.headroomPercent,
            printedAvailable: c.total.description, printedRequired: nil, printedMetaspace: r.metaspace?.description)
    }

    static func needs(for f: PrintedFailure, calc: CalculatorFailure) -> MemoryNeeds? {
        guard let metaspace = calc.regions.metaspaceBytes else { return nil }
        let r = f.regions
        return MemoryNeeds(
            directMemory: (r.directMemory ?? MemoryCalculator.defaultDirectMemory).bytes + (r.compressedClassSpace?.bytes ?? 0),
            metaspace: metaspace,
            codeCache: (r.codeCache ?? MemoryCalculator.defaultCodeCache).bytes,
            stack: (r.stack ?? MemoryCalculator.defaultStack).bytes,
            threadCount: r.threadCount ?? MemoryCalculator.defaultThreadCount,
            headroomPercent: calc.headroomPercent ?? 0,
            userHeap: r.heap?.bytes)
    }

    /// A success line lists only the regions the calculator set; the others were set by the user (memory-calculator.md
    /// §1.3, §2.5) and are fixed inputs, taken from JAVA_TOOL_OPTIONS when the log shows it, else the defaults.
    static func needs(for c: PrintedConfiguration, userSet: PrintedRegions = PrintedRegions()) -> MemoryNeeds {
        let r = c.regions
        let metaspace = r.metaspace == nil ? userSet.metaspace?.bytes : nil
        return MemoryNeeds(
            directMemory: (r.directMemory ?? userSet.directMemory ?? MemoryCalculator.defaultDirectMemory).bytes,
            metaspace: metaspace ?? MemoryCalculator.metaspace(forLoadedClasses: c.loadedClassCount).bytes,
            codeCache: (r.codeCache ?? userSet.codeCache ?? MemoryCalculator.defaultCodeCache).bytes,
            stack: (r.stack ?? userSet.stack ?? MemoryCalculator.defaultStack).bytes,
            threadCount: c.threadCount, headroomPercent: c.headroomPercent, userHeap: nil)
    }

    static func current(options: DiagnosisOptions, calc: CalculatorFailure) -> Recommender.CurrentSize {
        if let current = options.currentMemory { return .init(bytes: current.bytes, description: "\(current) (--current-memory)") }
        let seen = MemorySize(bytes: calc.availableBytes)
        if calc.limitVisible == true { return .init(bytes: calc.availableBytes, description: "the \(seen) limit") }
        return .init(bytes: calc.availableBytes, description: "the \(seen) the calculator saw at this start")
    }

    /// Evidence in input order, each line once.
    static func orderedEvidence(_ entries: [FactLedger.Entry]) -> [Evidence] {
        var seen: Set<Evidence> = []
        var list: [Evidence] = []
        for e in entries where seen.insert(e.first.evidence).inserted { list.append(e.first.evidence) }
        return list.sorted { ($0.input, $0.line) < ($1.input, $1.line) }
    }

    /// First and last seen: by time when the timestamps can be read (as ISO-8601 UTC), else in input order as written.
    static func stamp(_ finding: inout Finding, _ entries: [FactLedger.Entry]) {
        if let earliest = entries.compactMap(\.earliest).min(), let latest = entries.compactMap(\.latest).max() {
            finding.firstSeen = LogTimestamp.iso8601(earliest)
            finding.lastSeen = LogTimestamp.iso8601(latest)
            return
        }
        let first = entries.compactMap(\.firstTimestamp)
        let last = entries.compactMap(\.lastTimestamp)
        finding.firstSeen = first.first
        finding.lastSeen = last.last ?? first.last
    }
}
