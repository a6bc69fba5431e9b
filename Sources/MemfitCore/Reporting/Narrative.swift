/// The plain-language explanation of a finding, shared by the text and Markdown reporters so they never disagree.
public enum Narrative {
    public static func headline(_ f: Finding) -> String {
        switch f.kind {
        case .calculatorFailure:
            guard let c = f.calculator, let required = c.requiredBytes else {
                return "The JVM could not start: \(f.detail ?? "the memory calculator failed")."
            }
            let what = c.check.map { regionsName($0) } ?? "memory regions"
            return "The JVM could not start: its \(what) need \(size(required, printed: c.printedRequired)) "
                + "but only \(size(c.availableBytes, printed: c.printedAvailable)) was available."
        case .calculatorNearMiss:
            let heap = f.calculator?.regions.heapBytes.map { MemorySize(bytes: $0).description } ?? "?"
            var text = "The JVM started, but with a heap of only \(heap)"
            if let c = f.calculator, let h = c.regions.heapBytes, c.availableBytes > 0 {
                text += " (\(Int((Double(h) / Double(c.availableBytes) * 100).rounded()))% of \(MemorySize(bytes: c.availableBytes)))"
            }
            text += ": the next small change (more classes, more threads, less memory) will stop it starting"
            if let m = f.margin {
                if let classes = m.moreClasses {
                    text += ". \(groupedThousands(classes)) more loaded classes, or \(m.lessMemoryMiB) MiB less memory, "
                        + "would make the calculator fail"
                } else {
                    text += ". \(m.lessMemoryMiB) MiB less memory would make the calculator fail"
                }
            }
            return text + "."
        case .noMemoryLimit:
            return "The JVM started without a memory limit it could see: \(f.detail ?? "")."
        case .containerOOMKilled:
            var limit = ""
            if let bytes = f.memoryLimitBytes {
                limit = " of \(MemorySize(bytes: bytes).humanReadable)" + (f.memoryLimitSource.map { " (\($0))" } ?? "")
            }
            return "The container was killed for using more memory than its limit\(limit)" + (f.exitCode.map { ", with exit code \($0)." } ?? ".")
        case .jvmOutOfMemory:
            if let d = f.detail, d.hasPrefix("could not reserve") {
                return "The JVM could not start: it \(d) (the operating system refused the reservation; this is not an OutOfMemoryError)."
            }
            if let d = f.detail, !isOutOfMemoryErrorType(d) { return "The JVM ran out of memory: \(d)." }
            return "The JVM ran out of memory: java.lang.OutOfMemoryError: \(f.detail ?? "")."
        case .launchFailure:
            return "The container could not start, and not for lack of memory: \(f.detail ?? "launch failure")."
        case .launchSettingIgnored:
            return "A launch setting from the build was not used: \(f.detail ?? "")."
        case .decimalMemoryLimit:
            return "The memory limit is in decimal units: \(f.detail ?? "")."
        case .userRule:
            return "Rule \(f.rule?.ruleID ?? "?"): \(f.detail ?? "")."
        case .memoryQuotaExceeded:
            return "The dyno used more memory than its quota and started swapping (Heroku R14); if it keeps growing "
                + "Heroku kills it (R15)."
        }
    }

    /// Sentences after the headline: the arithmetic, what was derived, where the limit came from.
    public static func details(_ f: Finding) -> [String] {
        var lines: [String] = []
        if f.kind == .containerOOMKilled { return oomKillAdvice(f) }
        if f.kind == .launchSettingIgnored {
            let setting = f.launchSetting.map { "\($0.name)=\($0.value)" } ?? "BPL_JVM_THREAD_COUNT=100"
            return ["BPL_* variables are read when the container starts, not when the image is built: set "
                + "`\(setting)` in the container's environment (ECS task definition `environment`, Kubernetes `env`, "
                + "`docker run -e`), or bake a default into the image at build time with the environment-variables "
                + "buildpack (`BPE_DEFAULT_\(setting)`, or `BPE_OVERRIDE_\(setting)` to force it)."]
        }
        if f.kind == .jvmOutOfMemory && f.calculator == nil { return [outOfMemoryAdvice(f.detail ?? "", classes: nil)] }
        guard let c = f.calculator else {
            if f.kind == .calculatorFailure, f.vendor != nil || !f.evidence.isEmpty {
                lines.append("Look for the calculator's own error lines just before the exec.d line; they name the regions.")
            }
            return lines
        }
        if f.kind == .calculatorFailure, let shortfall = c.shortfallBytes, shortfall > 0 {
            lines.append("Short by \(MemorySize(bytes: shortfall)) (\(MemorySize(bytes: shortfall).humanReadable)).")
        }
        if let breakdown = breakdown(c) { lines.append("Breakdown: \(breakdown).") }
        if c.heapUserSet, let heap = c.regions.heapBytes {
            lines.append("The heap (-Xmx\(MemorySize(bytes: heap))) was set by the user, so it counts as a fixed region.")
        }
        if let n = c.loadedClassCount {
            if c.loadedClassCountDerived {
                let range = countedClasses(forLoaded: n)
                lines.append("Metaspace \(c.printedMetaspace ?? "") means the calculator assumed \(groupedThousands(n)) loaded classes "
                    + "(derived: 14,000,000 B + 5,800 B × \(groupedThousands(n)) = "
                    + "\(groupedThousands(Int(MemoryCalculator.metaspace(forLoadedClasses: n).bytes))) B; about "
                    + "\(groupedThousands(range.lowerBound))–\(groupedThousands(range.upperBound)) classes counted before the 0.35 factor).")
            } else {
                lines.append("Loaded class count \(groupedThousands(n)), thread count \(c.threadCount ?? 0), headroom \(c.headroomPercent ?? 0)%.")
            }
        }
        switch c.limitVisible {
        case false?:
            if let range = f.availableRange {
                lines.append("No visible memory limit: the calculator sized the JVM from free memory, which moved between "
                    + "\(MemorySize(bytes: range.lowerBound)) and \(MemorySize(bytes: range.upperBound)) over \(f.occurrences) starts.")
            } else if f.kind == .calculatorFailure || f.kind == .calculatorNearMiss {
                // Quote the log only when this very figure was the free-memory reading.
                let quoted = f.evidence.contains { $0.text.contains("based on \(c.printedAvailable ?? "") available memory") }
                lines.append((quoted
                    ? "No visible memory limit: \"Calculating JVM memory based on \(c.printedAvailable ?? "…") available memory\" means"
                    : "No visible memory limit: the log shows")
                    + " the calculator sized the JVM from the \(hostWord(f.platform))'s free memory, not from "
                    + "\(f.platform == .ecsFargate || f.platform == .ecsEC2 ? "the task size" : "a container limit"); "
                    + "that figure changes from one start to the next.")
            }
        case true?:
            lines.append("The limit \(c.printedAvailable ?? "") was visible to the calculator.")
        case nil:
            if f.kind == .calculatorFailure {
                lines.append("The log does not say whether \(c.printedAvailable ?? "this figure") was a limit or free memory.")
            }
        }
        if f.kind == .jvmOutOfMemory { lines.append(outOfMemoryAdvice(f.detail ?? "", classes: c.loadedClassCount)) }
        if let drift = f.drift { lines += driftLines(drift) }
        if f.kind == .noMemoryLimit && (f.platform == .ecsFargate || f.platform == .ecsEC2) {
            lines.append("On ECS the JVM is then sized for the VM, not the task: under load the container can be killed "
                + "for exceeding the task memory. Set a hard container-level `memory`.")
        }
        return lines
    }

    /// "+340 classes since the previous start: +1.9 MiB of metaspace", and where the free-memory figures fall.
    static func driftLines(_ d: Finding.Drift) -> [String] {
        var lines: [String] = []
        if d.loadedClassCounts.count >= 2 {
            let last = d.loadedClassCounts[d.loadedClassCounts.count - 1], previous = d.loadedClassCounts[d.loadedClassCounts.count - 2]
            let delta = last - previous
            let bytes = MemorySize(bytes: Int64(abs(delta)) * MemoryCalculator.classSize)
            lines.append("\(delta >= 0 ? "+" : "-")\(groupedThousands(abs(delta))) classes since the previous start "
                + "(\(groupedThousands(previous)) → \(groupedThousands(last))): \(delta >= 0 ? "+" : "-")\(bytes.humanReadable) of metaspace.")
        }
        if d.availableBytes.count >= 2, let required = d.requiredBytes {
            let shown = d.availableBytes.prefix(8).map { MemorySize(bytes: $0).description }.joined(separator: ", ")
            let more = d.availableBytes.count > 8 ? ", …" : ""
            lines.append("The calculator had a different amount of memory at different starts (\(shown)\(more)); needing "
                + "\(MemorySize(bytes: required)), it fails at \(d.failsAt.count) of these \(d.availableBytes.count) figures. "
                + "That is how a service fails \"with no material change\".")
        }
        return lines
    }

    /// What to do about each kind of java.lang.OutOfMemoryError.
    /// The detail of the jvmkill agent's kill line, when no resource exhaustion event of the same start is in the input.
    static let jvmkillKilled = "jvmkill killed the JVM after a resource exhaustion event"

    /// Whether a jvm-out-of-memory detail is the type of a `java.lang.OutOfMemoryError` (else it is worded plainly).
    static func isOutOfMemoryErrorType(_ detail: String) -> Bool {
        !detail.contains("jvmkill") && !detail.hasPrefix("could not reserve")
    }

    static func outOfMemoryAdvice(_ what: String, classes: Int?) -> String {
        let lower = what.lowercased()
        if lower.hasPrefix("metaspace") || lower.hasPrefix("compressed class space") {
            let sized = classes.map { "Metaspace was sized for \(groupedThousands($0)) loaded classes and the application loaded more: " }
                ?? "Metaspace ran out: "
            return sized + "raise the estimate with BPL_JVM_CLASS_ADJUSTMENT (for example 150%) or set "
                + "BPL_JVM_LOADED_CLASS_COUNT; classes loaded from outside the app directory or by agents are not counted."
        }
        if lower.contains("direct buffer memory") {
            return "Direct memory is capped by -XX:MaxDirectMemorySize, which the calculator sets to 10M by default; "
                + "Netty and WebFlux need more. Set -XX:MaxDirectMemorySize=64M (or what the app needs) in JAVA_TOOL_OPTIONS; "
                + "the calculator then counts it as a fixed region."
        }
        if lower.contains("native thread") || lower.contains("create a thread") {
            return "The JVM could not start another thread: thread stacks (-Xss × threads) or the pids limit ran out. "
                + "Lower BPL_JVM_THREAD_COUNT or the thread pools, or raise the container's limits."
        }
        if lower.contains("java runtime environment") || lower.contains("object heap") {
            return "The operating system refused the JVM native memory: the container's limit is below what the JVM "
                + "reserved. Give the container more memory, or lower -Xmx if it was set by hand."
        }
        return "The heap filled up. Give the container more memory (the calculator gives the extra to the heap), or "
            + "look for a leak with a heap dump; -XX:+ExitOnOutOfMemoryError makes the JVM exit at the first one."
    }

    /// A kill by the kernel or the platform: the JVM's total footprint (heap plus everything else) outgrew the limit.
    static func oomKillAdvice(_ f: Finding) -> [String] {
        var lines = ["The JVM started, then its whole footprint (heap, metaspace, thread stacks, direct buffers and "
            + "native memory) outgrew the limit; the kernel killed it without a Java error."]
        if let bytes = f.memoryLimitBytes {
            let mib = Int64(MemorySize(bytes: bytes).mebibytesRoundedUp)
            var next = "a larger size"
            if f.platform == .ecsFargate, let size = FargateSizes.smallest(atLeast: mib + 1) {
                next = "the next Fargate size, \(size.memoryMiB) MiB (valid with \(size.vCPU) vCPU)"
            } else if f.platform == .heroku, let dyno = HerokuDynoSizes.smallest(atLeast: mib + 1) {
                next = "the next dyno size, \(dyno) MiB"
            }
            lines.append("Give it \(next), or keep the size and leave room outside the heap with BPL_JVM_HEAD_ROOM "
                + "(for example 10, so the calculator keeps 10% back).")
        } else {
            lines.append("Raise the memory limit, or keep it and set BPL_JVM_HEAD_ROOM (for example 10) so the calculator "
                + "leaves room outside the heap.")
        }
        return lines
    }

    /// "direct 10M + metaspace 120382K + code cache 240M + 250 threads × 1M = 632382K"
    static func breakdown(_ c: CalculatorFailure) -> String? {
        var parts: [String] = []
        if let heap = c.regions.heapBytes, c.heapUserSet { parts.append("heap \(MemorySize(bytes: heap))") }
        if let h = c.regions.headroomBytes, h > 0, c.check == .nonHeap || c.check == .all { parts.append("headroom \(MemorySize(bytes: h))") }
        if let d = c.regions.directMemoryBytes { parts.append("direct \(MemorySize(bytes: d))") }
        if let m = c.printedMetaspace { parts.append("metaspace \(m)") }
        if let cc = c.regions.reservedCodeCacheBytes { parts.append("code cache \(MemorySize(bytes: cc))") }
        if let t = c.threadCount, let s = c.stackBytes { parts.append("\(t) threads × \(MemorySize(bytes: s))") }
        guard parts.count >= 2 else { return nil }
        var text = parts.joined(separator: " + ")
        if let r = c.printedRequired ?? c.requiredBytes.map({ MemorySize(bytes: $0).description }) { text += " = \(r)" }
        return text
    }

    /// The counted classes x (JVM + app + agents) with int(0.35 × x) == n.
    public static func countedClasses(forLoaded n: Int) -> ClosedRange<Int> {
        let guess = Int(Double(n) / 0.35)
        let candidates = (guess - 4...guess + 4).filter { Int(Double($0) * 0.35) == n }
        guard let low = candidates.first, let high = candidates.last else { return guess...guess }
        return low...high
    }

    static func regionsName(_ check: CalculatorCheck) -> String {
        switch check {
        case .fixed: return "fixed regions"
        case .nonHeap: return "non-heap regions (fixed regions plus headroom)"
        case .all: return "regions including the user-set heap"
        }
    }

    static func hostWord(_ platform: Platform) -> String {
        switch platform {
        case .ecsFargate, .ecsEC2: return "VM"
        case .kubernetes: return "node"
        default: return "host"
        }
    }

    static func size(_ bytes: Int64, printed: String?) -> String { printed ?? MemorySize(bytes: bytes).description }

    /// "ECS Fargate task memory 1024 MiB (valid with 0.25 vCPU)"
    public static func recommendationHeadline(_ r: Recommendation) -> String {
        let heap = "leaves a heap of \(MemorySize(bytes: r.heapBytes)) (\(MemorySize(bytes: r.heapBytes).humanReadable))"
        switch r.platform {
        case .ecsFargate:
            if let cpu = r.cpuUnits {
                let vcpu = FargateSizes.all.first { $0.cpuUnits == cpu }?.vCPU ?? "\(cpu) units"
                return "ECS Fargate task memory \(r.memoryMiB) MiB (valid with \(vcpu) vCPU); \(heap)"
            }
            return "ECS task memory \(r.memoryMiB) MiB, more than any Fargate size offers (run it on EC2 capacity); \(heap)"
        case .ecsEC2: return "ECS container memory \(r.memoryMiB) MiB; \(heap)"
        case .kubernetes: return "Kubernetes memory limit \(r.memoryMiB)Mi; \(heap)"
        case .heroku:
            if !HerokuDynoSizes.memoryMiB.contains(r.memoryMiB) {
                return "\(r.memoryMiB) MiB, more than the largest Heroku dyno (Performance-L, 14 GiB) offers; \(heap)"
            }
            return "Heroku dyno with \(r.memoryMiB) MiB; \(heap)"
        case .cloudFoundry: return "Cloud Foundry memory quota \(r.memoryMiB)M; \(heap)"
        case .docker: return "Docker memory limit \(r.memoryMiB) MiB (-m \(r.memoryMiB)m); \(heap)"
        case .generic: return "Container memory \(r.memoryMiB) MiB; \(heap)"
        }
    }
}
