public enum FindingKind: String, Sendable, Codable {
    case calculatorFailure = "calculator-failure"
    case calculatorNearMiss = "calculator-near-miss"
    case noMemoryLimit = "no-memory-limit"
    case containerOOMKilled = "container-oom-killed"
    case jvmOutOfMemory = "jvm-out-of-memory"
    case launchFailure = "launch-failure"
    /// Heroku R14: over the dyno's memory quota and swapping; R15 (and a kill) follows if it grows.
    case memoryQuotaExceeded = "memory-quota-exceeded"
    /// A build log sets a `BPL_*` launch setting the run did not use: they are read at launch, not at build.
    case launchSettingIgnored = "launch-setting-ignored"
    /// A memory limit in decimal units (Kubernetes `2G`), probably meant as binary (`2Gi`).
    case decimalMemoryLimit = "decimal-memory-limit"
    /// A `--rules` rule matched; the finding carries the rule's own kind (`Finding.kindName`).
    case userRule = "user-rule"
}

public enum Severity: String, Sendable, Codable, Comparable {
    case info, warning, failure

    private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The calculator's arithmetic for one finding, in exact bytes where the log allows.
public struct CalculatorFailure: Sendable, Equatable {
    public struct Regions: Sendable, Equatable {
        public var directMemoryBytes: Int64?
        public var metaspaceBytes: Int64?
        public var reservedCodeCacheBytes: Int64?
        public var threadStackBytes: Int64?
        public var heapBytes: Int64?
        public var headroomBytes: Int64?
        /// What the printed requirement holds beyond the regions the line lists: a line cut short, or a region
        /// the calculator adds without naming it. Shown as its own part, so the picture adds up to the requirement.
        public var unlistedBytes: Int64? = nil

        /// The regions the line lists, in bytes.
        var listedBytes: Int64 {
            [directMemoryBytes, metaspaceBytes, reservedCodeCacheBytes, threadStackBytes, headroomBytes].reduce(0) { $0 + max(0, $1 ?? 0) }
        }
    }

    public var generation: CalculatorGeneration
    public var check: CalculatorCheck?
    public var availableBytes: Int64
    public var requiredBytes: Int64?
    public var shortfallBytes: Int64?
    /// false: the calculator saw no limit (free memory, an assumed 1G, a non-round K figure); true: a round or decimal
    /// limit (memory-calculator.md §7).
    public var limitVisible: Bool?
    public var threadCount: Int?
    public var loadedClassCount: Int?
    public var loadedClassCountDerived: Bool
    public var regions: Regions
    /// Per-thread stack size, for "250 threads × 1M".
    public var stackBytes: Int64?
    public var heapUserSet: Bool
    public var headroomPercent: Int?
    /// The figures exactly as the calculator printed them, for quoting.
    public var printedAvailable: String?
    public var printedRequired: String?
    public var printedMetaspace: String?
}

/// Stage 5 output: one problem, from one source, with the arithmetic, a recommendation and the evidence.
public struct Finding: Sendable {
    public var kind: FindingKind
    public var severity: Severity
    public var source: String?
    public var occurrences: Int
    public var calculator: CalculatorFailure?
    public var recommendation: Recommendation?
    public var evidence: [Evidence]
    public var platform: Platform
    /// Why memfit assumed that platform: "--platform", "launchType FARGATE in aws ecs describe-tasks"…
    public var platformReason: String
    /// The memory limit the container was killed at, when the input says (container-oom-killed).
    public var memoryLimitBytes: Int64?
    public var memoryLimitSource: String?
    public var exitCode: Int?
    /// The buildpack that ships the calculator, from the exec.d path.
    public var vendor: String?
    /// Free text the narrative needs: the OOM kind, the launcher's cause, the calculator error.
    public var detail: String?
    public var firstSeen: String?
    public var lastSeen: String?
    /// Different available figures seen for this source (free memory moves from start to start).
    public var availableRange: ClosedRange<Int64>?
    /// For a near miss: what would tip the start into failure.
    public var margin: Margin?
    /// How the starts of this source differed: the class counts and the memory the calculator had.
    public var drift: Drift?
    /// The user rule behind a `userRule` finding.
    public var rule: UserRuleHit?
    /// For launch-setting-ignored: the `BPL_*` variable the build log set, and its value.
    public var launchSetting: LaunchSetting?

    public struct LaunchSetting: Sendable, Equatable {
        public var name: String
        public var value: Int
    }

    /// The kind as reports print it: a user rule's own kind, else the built-in one.
    public var kindName: String { rule?.kind ?? kind.rawValue }

    public struct Drift: Sendable, Equatable {
        /// Loaded class counts of successive starts, in input order, repeats removed.
        public var loadedClassCounts: [Int]
        /// The distinct memory figures the calculator had, ascending.
        public var availableBytes: [Int64]
        /// Those of them that are below what this source needs: the starts that fail.
        public var failsAt: [Int64]
        public var requiredBytes: Int64?
    }

    public struct Margin: Sendable, Equatable {
        /// This many more loaded classes (metaspace grows 5,800 B each) would make the calculator fail.
        /// nil when the metaspace was set by the user: then more classes do not change what the calculator reserves.
        public var moreClasses: Int?
        /// This much less memory would make it fail.
        public var lessMemoryMiB: Int64
    }
}
