/// What the JVM needs whatever the container size: the regions the calculator reserves before the heap.
public struct MemoryNeeds: Sendable, Equatable {
    public var directMemory: Int64
    public var metaspace: Int64
    public var codeCache: Int64
    public var stack: Int64
    public var threadCount: Int
    public var headroomPercent: Int
    /// A heap the user fixed with -Xmx; nil when the calculator sizes the heap.
    public var userHeap: Int64?

    public var threadStacks: Int64 { stack * Int64(threadCount) }
    public var fixed: Int64 { directMemory + metaspace + codeCache + threadStacks }

    func headroom(at total: Int64) -> Int64 { Int64((Double(headroomPercent) / 100) * Double(total)) }

    /// The heap the JVM gets in a container of `total` bytes (the user's -Xmx when set).
    func heap(at total: Int64) -> Int64 { userHeap ?? (total - fixed - headroom(at: total)) }

    /// True when the calculator would start the JVM in `total` bytes with at least `minHeap` of heap.
    func fits(in total: Int64, minHeap: Int64) -> Bool {
        let nonHeap = fixed + headroom(at: total)
        if let userHeap { return nonHeap + userHeap <= total }
        return total - nonHeap >= minHeap
    }
}

public struct Recommendation: Sendable, Equatable {
    public struct Alternative: Sendable, Equatable {
        public var change: String
        public var memoryMiB: Int
        public var heapBytes: Int64
    }

    public var platform: Platform
    public var memoryMiB: Int
    public var cpuUnits: Int?
    public var minHeapBytes: Int64
    public var heapBytes: Int64
    public var containerLimitAdvice: String?
    public var alternatives: [Alternative]
    /// The size the JVM needs before rounding to the platform.
    public var targetBytes: Int64
    /// The size the alternatives keep, and where that figure came from.
    public var currentBytes: Int64?
    public var currentDescription: String?
}

/// Stage 6, recommend: the smallest size the platform offers that leaves the minimum heap, plus ways to fit as is.
public enum Recommender {
    public struct CurrentSize: Sendable {
        public var bytes: Int64
        /// Says where the size came from, for the report: "the 512M limit", "--current-memory".
        public var description: String
    }

    /// Nil when no size can work: a headroom of 100% or more leaves nothing for the JVM however big the container.
    public static func recommend(
        needs: MemoryNeeds, platform: Platform, minHeap: MemorySize, limitVisible: Bool?, current: CurrentSize?
    ) -> Recommendation? {
        guard needs.headroomPercent < 100 else { return nil }
        let minHeapBytes = minHeap.bytes
        let heapPart = needs.userHeap ?? minHeapBytes
        let fraction = 1 - Double(needs.headroomPercent) / 100
        var target = needs.fixed + heapPart
        if needs.headroomPercent > 0 && fraction > 0 { target = Int64((Double(target) / fraction).rounded(.up)) }
        // The headroom is truncated by the calculator; step up until the calculator itself would agree.
        for _ in 0..<4096 where !needs.fits(in: target, minHeap: minHeapBytes) { target += MemorySize.kibi }

        let mib = MemorySize(bytes: target).mebibytesRoundedUp
        var memoryMiB = Int(roundUp(mib, to: 64))
        var cpuUnits: Int?
        switch platform {
        case .ecsFargate:
            if let size = FargateSizes.smallest(atLeast: mib) {
                memoryMiB = size.memoryMiB
                cpuUnits = size.cpuUnits
            }
        case .heroku:
            if let dyno = HerokuDynoSizes.smallest(atLeast: mib) { memoryMiB = dyno }
        default:
            break
        }
        let memoryBytes = Int64(memoryMiB) * MemorySize.mebi
        return Recommendation(
            platform: platform, memoryMiB: memoryMiB, cpuUnits: cpuUnits, minHeapBytes: minHeapBytes,
            heapBytes: needs.heap(at: memoryBytes),
            containerLimitAdvice: limitVisible == false ? limitAdvice(platform: platform, memoryMiB: memoryMiB) : nil,
            alternatives: current.map { alternatives(needs: needs, platform: platform, minHeap: minHeapBytes, current: $0.bytes) } ?? [],
            targetBytes: target, currentBytes: current?.bytes, currentDescription: current?.description)
    }

    static func roundUp(_ value: Int64, to multiple: Int64) -> Int64 { (value + multiple - 1) / multiple * multiple }

    static func limitAdvice(platform: Platform, memoryMiB: Int) -> String {
        switch platform {
        case .ecsFargate:
            return "Also set a hard container-level `memory` of \(memoryMiB) MiB in the task definition. With only task-level "
                + "memory the container's cgroup shows no limit, so the calculator sizes the JVM from the VM's free memory, "
                + "which is not the task size and changes from one start to the next."
        case .ecsEC2:
            return "Set a hard container-level `memory` of \(memoryMiB) MiB in the task definition; `memoryReservation` "
                + "or task-level memory alone is not visible to the calculator."
        case .kubernetes:
            return "Set `resources.limits.memory: \(memoryMiB)Mi` on the container; without a limit the calculator sizes "
                + "the JVM from the node's free memory."
        case .docker:
            return "Start the container with `docker run -m \(memoryMiB)m` (compose: `mem_limit: \(memoryMiB)m`); without "
                + "a limit the calculator sizes the JVM from the host's free memory."
        case .cloudFoundry:
            return "Set the app's memory quota to \(memoryMiB)M (`cf push -m \(memoryMiB)M` or `memory:` in the manifest)."
        case .heroku:
            return "Use a dyno with \(memoryMiB) MiB; the calculator sees the dyno's memory quota as the limit."
        case .generic:
            return "Give the container a hard memory limit of \(memoryMiB) MiB; without one the calculator sizes the JVM "
                + "from the host's free memory."
        }
    }

    /// Ways to start in `current` bytes without a bigger container, each with the heap it leaves.
    static func alternatives(needs: MemoryNeeds, platform: Platform, minHeap: Int64, current: Int64) -> [Recommendation.Alternative] {
        var result: [Recommendation.Alternative] = []
        let currentMiB = Int(current / MemorySize.mebi)
        let headroom = needs.headroom(at: current)
        let heapNeed = needs.userHeap ?? minHeap
        let withoutStacks = needs.fixed - needs.threadStacks
        let budget = current - headroom - withoutStacks - heapNeed

        func add(_ change: String, _ changed: MemoryNeeds) {
            guard changed.fits(in: current, minHeap: minHeap) else { return }
            result.append(.init(change: change, memoryMiB: currentMiB, heapBytes: changed.heap(at: current)))
        }

        if let userHeap = needs.userHeap {
            // The heap is the user's; the smallest change is a smaller -Xmx.
            let room = current - headroom - needs.fixed
            let xmx = room / MemorySize.mebi * MemorySize.mebi
            if xmx >= minHeap && xmx < userHeap {
                var changed = needs
                changed.userHeap = xmx
                add("-Xmx\(MemorySize(bytes: xmx)) in JAVA_TOOL_OPTIONS instead of -Xmx\(MemorySize(bytes: userHeap))", changed)
            }
            var changed = needs
            changed.userHeap = nil
            add("remove -Xmx from JAVA_TOOL_OPTIONS and let the calculator size the heap", changed)
        }

        if needs.stack > 0 && budget > 0 {
            let threads = Int(budget / needs.stack)
            if threads >= 1 && threads < needs.threadCount {
                var changed = needs
                changed.threadCount = threads
                let setting = platform == .cloudFoundry
                    ? "JBP_CONFIG_OPEN_JDK_JRE: '{ memory_calculator: { stack_threads: \(threads) } }'"
                    : "BPL_JVM_THREAD_COUNT=\(threads)"
                add("\(setting) (fewer threads: \(threads) instead of \(needs.threadCount))", changed)
            }
        }

        if needs.threadCount > 0 && budget > 0 {
            let perThread = budget / Int64(needs.threadCount) / (64 * MemorySize.kibi) * (64 * MemorySize.kibi)
            if perThread >= 256 * MemorySize.kibi && perThread < needs.stack {
                var changed = needs
                changed.stack = perThread
                add("-Xss\(MemorySize(bytes: perThread)) in JAVA_TOOL_OPTIONS (smaller thread stacks, \(needs.threadCount) threads)", changed)
            }
        }

        let overBy = needs.fixed + heapNeed + headroom - current
        if overBy > 0 {
            let step = 16 * MemorySize.mebi
            let codeCache = (needs.codeCache - overBy) / step * step
            if codeCache >= 64 * MemorySize.mebi && codeCache < needs.codeCache {
                var changed = needs
                changed.codeCache = codeCache
                add("-XX:ReservedCodeCacheSize=\(MemorySize(bytes: codeCache)) in JAVA_TOOL_OPTIONS (less room for JIT-compiled code)", changed)
            }
        }
        return result
    }
}
