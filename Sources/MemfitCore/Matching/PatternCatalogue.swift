/// Which calculator printed a message. The wording changed with each generation (memory-calculator.md §1, §5).
public enum CalculatorGeneration: String, Sendable, Codable {
    /// Paketo libjvm Go helper, v1.20.0 and later: "… memory regions require …".
    case libjvm
    /// Cloud Foundry calculator v4 (Paketo before Aug 2020, CF java-buildpack v5): "required memory … x N threads".
    case cfV4 = "cf-v4"
    /// Cloud Foundry calculator v3 (CF java-buildpack v4): "insufficient memory remaining for heap".
    case cfV3 = "cf-v3"
    /// Cloud Foundry calculator v1/v2 (CF java-buildpack v3): "Cannot balance memory".
    case cfV2 = "cf-v2"
}

/// What a catalogued line means, independent of its wording.
public enum MessageKind: String, Sendable {
    case regionsDoNotFit
    case calculationFailedHeader
    case sizedFromAvailableMemory
    case availableMemoryLink
    case limitUnset
    case limitTooLarge
    case limitUnconvertible
    case calculatedConfiguration
    case execdMemoryCalculatorFailed
    case execdOtherFailed
    case launcherFailed
    case calculatorError
    case jvmOutOfMemory
    case containerOOMKilled
    case memoryQuotaExceeded
    case testcontainersDump
    case launchSettingAtBuild
    /// The JVM's `Picked up JAVA_TOOL_OPTIONS:` line: the options it started with, user-set regions among them.
    case javaToolOptions
    /// CF java-buildpack v5 staging: the calculator's settings, headroom among them.
    case stagingSettings
    /// A platform's "Process exited with status N" (Heroku): the exit code of the kill it follows.
    case processExited
    /// The JVM refused one of its own options at start ("Invalid maximum heap size: -Xmx1.5g").
    case jvmOptionRejected
}

/// One message the calculator, the launcher, the JVM or a platform prints. Patterns are data:
/// every line memfit understands is an entry here, with a literal for the fast prefilter and a sample it must match.
public struct CatalogueEntry: Sendable {
    public let id: String
    public let kind: MessageKind
    public let generation: CalculatorGeneration?
    /// A substring every matching line contains, checked with memmem before PCRE2 runs.
    public let literal: String
    public let pattern: String
    public let caseless: Bool
    /// A real-shaped line that must match; the tests run every sample.
    public let sample: String
}

/// The built-in catalogue, in match order: the first entry that matches a line wins.
public enum PatternCatalogue {
    /// The few literals the prefilter looks for. Every entry's literal contains one of them (a test checks),
    /// so a line with none of these cannot match any entry. Fewer literals make the scan of ordinary lines cheaper.
    /// " memory" and "Memory" stand for the many messages that contain them. Which literals share the one-pass
    /// search's buckets decides the cost on ordinary lines: measure a change (valgrind --tool=callgrind on a slice of
    /// bench/make-corpus.py's plain.log) and prefer literals with capitals or punctuation ("JVM was unable",
    /// "_in_bytes: No") to all-lower-case words ("exited with status" alone cost 45% more instructions).
    public static let prefilterLiterals = [
        "available for allocation", " memory", "Memory", "on this calculation", "failed to launch", "$BP", "class count",
        "JAVA_TOOL_OPTIONS", "Could not reserve", "failed container", "Java Runtime Environment", "permission denied",
        "unable to walk", "OOMKilled", "native thread", "JVM was unable", "jvmkill", "Process exited with status", "_in_bytes: No",
        "Invalid maximum heap size: -X",
    ]

    /// What the prefilter searches for: `prefilterLiterals`, plus the lower-case, upper-case and capitalised forms of
    /// each one that covers a `caseless` entry, so that entry's line passes whatever its case (" MEMORY" for
    /// "CANNOT BALANCE MEMORY"). A form that already holds a listed literal adds nothing and is left out, so ordinary
    /// bytes cost one more rare literal at most.
    public static let prefilterSearchLiterals = withCaseVariants(prefilterLiterals, catalogue: builtIn)

    static func withCaseVariants(_ base: [String], catalogue: [CatalogueEntry]) -> [String] {
        var result = base
        for entry in catalogue where entry.caseless {
            for literal in base where entry.literal.contains(literal) {
                for variant in [literal.lowercased(), literal.uppercased(), capitalised(literal)]
                where !result.contains(where: { variant.contains($0) }) {
                    result.append(variant)
                }
            }
        }
        return result
    }

    /// The first letter upper-case, the rest lower-case: " memory" → " Memory".
    static func capitalised(_ text: String) -> String {
        guard let first = text.firstIndex(where: \.isLetter) else { return text }
        return text[..<first] + text[first].uppercased() + text[text.index(after: first)...].lowercased()
    }

    static let size = #"\d+[KMGTkmgt]?"#
    static let sizeB = #"\d+[KMGTBkmgtb]?"#

    public static let builtIn: [CatalogueEntry] = [
        CatalogueEntry(
            id: "libjvm-regions-require", kind: .regionsDoNotFit, generation: .libjvm,
            literal: "available for allocation",
            pattern: #"\b(?<check>fixed|non-heap|all) memory regions require (?<required>\#(size)) which is greater than (?<available>\#(size)) available for allocation:(?: (?<regions>.*))?"#,
            caseless: false,
            sample: "fixed memory regions require 632382K which is greater than 616300K available for allocation: -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads"),
        CatalogueEntry(
            id: "cf-v4-required-memory", kind: .regionsDoNotFit, generation: .cfV4,
            literal: "available for allocation",
            pattern: #"\b(?:required memory (?<required>\#(sizeB))|allocated memory) is greater than (?<available>\#(sizeB)) available for allocation: (?<regions>.*)"#,
            caseless: false,
            sample: "required memory 819590K is greater than 512M available for allocation: -XX:MaxDirectMemorySize=10M, -Xmx400M, -XX:MaxMetaspaceSize=102790K, -XX:ReservedCodeCacheSize=240M, -Xss1M x 50 threads"),
        CatalogueEntry(
            id: "cf-v3-insufficient-memory", kind: .regionsDoNotFit, generation: .cfV3,
            literal: " memory remaining for heap",
            pattern: #"insufficient memory remaining for heap\.? \(?memory (?:limit|available for allocation) (?<available>\#(sizeB)) (?:is less than|<) allocated memory (?<required>\#(sizeB))\)?(?: \((?<regions>[^()]*)\))?"#,
            caseless: true,
            sample: "Cannot calculate JVM memory configuration: There is insufficient memory remaining for heap. Memory available for allocation 512M is less than allocated memory 637316K (-XX:ReservedCodeCacheSize=240M, -XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=125316K, -Xss1M * 250 threads)"),
        CatalogueEntry(
            id: "cf-v2-cannot-balance", kind: .regionsDoNotFit, generation: .cfV2,
            literal: "annot balance memory",
            pattern: #"cannot balance memory(?<detail>.*)$"#,
            caseless: true,
            sample: "Cannot balance memory: total memory 256M is too small"),
        CatalogueEntry(
            id: "libjvm-calculation-failed", kind: .calculationFailedHeader, generation: .libjvm,
            literal: "unable to calculate memory configuration",
            pattern: #"\bunable to calculate memory configuration\b"#,
            caseless: false,
            sample: "unable to calculate memory configuration"),
        CatalogueEntry(
            id: "libjvm-calculating-from-available", kind: .sizedFromAvailableMemory, generation: .libjvm,
            literal: "Calculating JVM memory based on",
            pattern: #"Calculating JVM memory based on (?<available>\#(size)) available memory"#,
            caseless: false,
            sample: "Calculating JVM memory based on 616300K available memory"),
        CatalogueEntry(
            id: "libjvm-more-information", kind: .availableMemoryLink, generation: .libjvm,
            literal: "For more information on this calculation",
            pattern: #"(?<backquote>`)?For more information on this calculation, see "#,
            caseless: false,
            sample: "For more information on this calculation, see https://paketo.io/docs/reference/java-reference/#memory-calculator"),
        CatalogueEntry(
            id: "libjvm-limit-unset", kind: .limitUnset, generation: .libjvm,
            literal: " memory limit",
            pattern: #"(?<warning>WARNING: )?(?:Container memory limit unset|Unable to determine memory limit)\. Configuring JVM for (?<assumed>\#(size)) container"#,
            caseless: false,
            sample: "WARNING: Unable to determine memory limit. Configuring JVM for 1G container."),
        CatalogueEntry(
            id: "libjvm-limit-too-large", kind: .limitTooLarge, generation: .libjvm,
            literal: " memory limit too large",
            pattern: #"Container memory limit too large\. Configuring JVM for (?<assumed>\#(size)) container"#,
            caseless: false,
            sample: "WARNING: Container memory limit too large. Configuring JVM for 64T container."),
        CatalogueEntry(
            id: "libjvm-limit-unconvertible", kind: .limitUnconvertible, generation: .libjvm,
            literal: " memory limit",
            pattern: #"(?:Unable to convert memory limit|untable to convert memory limit) "?(?<value>[^"\s]*)"?"#,
            caseless: false,
            sample: #"WARNING: Unable to convert memory limit "max" from path "/sys/fs/cgroup/memory.max" as int: memory size "max" does not match pattern "^([\\d]+)([kmgtKMGT]?)$""#),
        CatalogueEntry(
            id: "libjvm-calculated-configuration", kind: .calculatedConfiguration, generation: .libjvm,
            literal: "Calculated JVM Memory Configuration",
            pattern: #"Calculated JVM Memory Configuration: (?<flags>[^()]*?) ?\(Total Memory: (?<total>\#(size)), Thread Count: (?<threads>\d+), Loaded Class Count: (?<classes>\d+), Headroom: (?<headroom>\d+)%\)"#,
            caseless: false,
            sample: "Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -Xmx120727K -XX:MaxMetaspaceSize=114792K -XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: 730M, Thread Count: 250, Loaded Class Count: 17853, Headroom: 0%)"),
        CatalogueEntry(
            id: "libjvm-bash-calculated-configuration", kind: .calculatedConfiguration, generation: .cfV4,
            literal: "Calculated JVM Memory Configuration",
            pattern: #"Calculated JVM Memory Configuration: (?<flags>[^()]*?) ?\(Head Room: (?<headroom>\d+)%, Loaded Class Count: (?<classes>\d+), Thread Count: (?<threads>\d+), Total Memory: (?<total>\d+(?:\.\d+)?[KMGT]?)\)"#,
            caseless: false,
            sample: "Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -XX:MaxMetaspaceSize=99072K -XX:ReservedCodeCacheSize=240M -Xss1M -Xmx413175K (Head Room: 0%, Loaded Class Count: 14631, Thread Count: 250, Total Memory: 1.0G)"),
        CatalogueEntry(
            id: "jvm-picked-up-java-tool-options", kind: .javaToolOptions, generation: nil,
            literal: "Picked up JAVA_TOOL_OPTIONS",
            pattern: #"Picked up JAVA_TOOL_OPTIONS: (?<options>.*)"#,
            caseless: false,
            sample: "Picked up JAVA_TOOL_OPTIONS: -XX:+ExitOnOutOfMemoryError -XX:MaxMetaspaceSize=256m -XX:MaxDirectMemorySize=10M -Xmx124M -XX:ReservedCodeCacheSize=240M -Xss1M"),
        CatalogueEntry(
            id: "cf-memory-calculator-installed", kind: .stagingSettings, generation: .cfV4,
            literal: "Memory Calculator installed",
            pattern: #"Memory Calculator installed: Loaded Classes: (?<classes>\d+), Threads: (?<threads>\d+), Headroom: (?<headroom>\d+)"#,
            caseless: false,
            sample: "Memory Calculator installed: Loaded Classes: 30000, Threads: 250, Headroom: 15"),
        CatalogueEntry(
            id: "lifecycle-execd-memory-calculator", kind: .execdMemoryCalculatorFailed, generation: .libjvm,
            literal: "failed to launch: exec.d",
            pattern: #"failed to launch: exec\.d: failed to execute exec\.d file at path '(?<path>[^']*/memory-calculator)': exit status (?<status>\d+)"#,
            caseless: false,
            sample: "ERROR: failed to launch: exec.d: failed to execute exec.d file at path '/layers/paketo-buildpacks_bellsoft-liberica/helper/exec.d/memory-calculator': exit status 1"),
        CatalogueEntry(
            id: "lifecycle-execd-other", kind: .execdOtherFailed, generation: nil,
            literal: "failed to launch: exec.d",
            pattern: #"failed to launch: exec\.d: (?<cause>failed to (?:execute|read output from\s+|decode output from) exec\.d file at path '(?<path>[^']*)'.*)"#,
            caseless: false,
            sample: "ERROR: failed to launch: exec.d: failed to execute exec.d file at path '/layers/paketo-buildpacks_ca-certificates/helper/exec.d/ca-certificates-helper': fork/exec /layers/paketo-buildpacks_ca-certificates/helper/exec.d/ca-certificates-helper: exec format error"),
        CatalogueEntry(
            id: "lifecycle-launch-failed", kind: .launcherFailed, generation: nil,
            literal: "failed to launch: ",
            pattern: #"failed to launch: (?<cause>.+)"#,
            caseless: false,
            sample: "ERROR: failed to launch: determine start command: when there is no default process a command is required"),
        CatalogueEntry(
            id: "libjvm-calculator-error", kind: .calculatorError, generation: .libjvm,
            literal: "$BP",
            pattern: #"(?<cause>unable to convert \$(?:BPL_JVM_\w+|BPI_JVM_CLASS_COUNT)=\S* to integer|\$BPI_(?:APPLICATION_PATH|JVM_CLASS_COUNT) must be set|unable to parse \$BPL_JVM_CLASS_ADJUSTMENT \S+ as an? (?:percentage|integer))"#,
            caseless: false,
            sample: "unable to convert $BPL_JVM_THREAD_COUNT=fifty to integer"),
        CatalogueEntry(
            id: "libjvm-bash-cgroup-file-missing", kind: .calculatorError, generation: .cfV4,
            literal: "memory.limit_in_bytes: No such file",
            pattern: #"cat: (?<file>/sys/fs/cgroup/memory/memory\.limit_in_bytes): No such file or directory"#,
            caseless: false,
            sample: "cat: /sys/fs/cgroup/memory/memory.limit_in_bytes: No such file or directory"),
        CatalogueEntry(
            id: "cf-v4-total-memory-flag-error", kind: .calculatorError, generation: .cfV4,
            literal: " flag: memory size does not match",
            pattern: #"(?<cause>invalid argument "[^"]*" for "--total-memory" flag): memory size does not match pattern"#,
            caseless: false,
            sample: #"invalid argument "" for "--total-memory" flag: memory size does not match pattern '^([\d]+)([bkmgtBKMGT]?)$': "#),
        CatalogueEntry(
            id: "libjvm-class-count-error", kind: .calculatorError, generation: .libjvm,
            literal: "class count",
            pattern: #"\b(?<cause>unable to determine class count)\b"#,
            caseless: false,
            sample: "unable to determine class count"),
        CatalogueEntry(
            id: "libjvm-flags-error", kind: .calculatorError, generation: .libjvm,
            literal: " memory regions from flags",
            pattern: #"\b(?<cause>unable to create memory regions from flags)\b"#,
            caseless: false,
            sample: "unable to create memory regions from flags"),
        CatalogueEntry(
            id: "libjvm-java-tool-options-error", kind: .calculatorError, generation: .libjvm,
            literal: "$JAVA_TOOL_OPTIONS",
            pattern: #"\b(?<cause>unable to parse \$JAVA_TOOL_OPTIONS)"#,
            caseless: false,
            sample: "unable to parse $JAVA_TOOL_OPTIONS"),
        CatalogueEntry(
            id: "libjvm-walk-error", kind: .calculatorError, generation: .libjvm,
            literal: "unable to walk",
            pattern: #"\b(?<cause>unable to walk \S+)"#,
            caseless: false,
            sample: "unable to walk /workspace"),
        CatalogueEntry(
            id: "libjvm-permission-denied", kind: .calculatorError, generation: .libjvm,
            literal: "permission denied",
            pattern: #"\b(?<cause>open /\S*: permission denied)"#,
            caseless: false,
            sample: "open /workspace/secrets: permission denied"),
        CatalogueEntry(
            id: "jvm-out-of-memory", kind: .jvmOutOfMemory, generation: nil,
            literal: "OutOfMemoryError: ",
            pattern: #"(?<action>Terminating|Aborting)? ?(?:due to )?java\.lang\.OutOfMemoryError: (?<what>.+)"#,
            caseless: false,
            sample: "Terminating due to java.lang.OutOfMemoryError: Metaspace"),
        CatalogueEntry(
            id: "jvm-invalid-maximum-heap-size", kind: .jvmOptionRejected, generation: nil,
            literal: "Invalid maximum heap size: -X",
            pattern: #"Invalid maximum heap size: (?<option>\S+)"#,
            caseless: false,
            sample: "Invalid maximum heap size: -Xmx1.5g"),
        CatalogueEntry(
            id: "jvm-could-not-reserve-heap", kind: .jvmOutOfMemory, generation: nil,
            literal: "Could not reserve enough space",
            pattern: #"Could not reserve enough space for (?:(?<what>\d+KB) )?object heap"#,
            caseless: false,
            sample: "Could not reserve enough space for 1048576KB object heap"),
        CatalogueEntry(
            id: "jvm-native-thread", kind: .jvmOutOfMemory, generation: nil,
            literal: "native thread",
            pattern: #"(?<what>unable to create (?:new )?native thread.*)"#,
            caseless: false,
            sample: "[0.012s][warning][os,thread] Failed to start thread - pthread_create failed (EAGAIN): unable to create native thread: possibly out of memory or process/resource limits reached"),
        CatalogueEntry(
            id: "jvm-insufficient-native-memory", kind: .jvmOutOfMemory, generation: nil,
            literal: "Java Runtime Environment",
            pattern: #"There is insufficient memory for the (?<what>Java Runtime Environment) to continue"#,
            caseless: false,
            sample: "# There is insufficient memory for the Java Runtime Environment to continue."),
        CatalogueEntry(
            id: "jvmkill-resource-exhaustion", kind: .jvmOutOfMemory, generation: nil,
            literal: "JVM was unable to",
            pattern: #"Resource exhaustion event: the JVM was (?<what>unable to (?:allocate memory from the heap|create a thread))"#,
            caseless: false,
            sample: "Resource exhaustion event: the JVM was unable to allocate memory from the heap."),
        CatalogueEntry(
            id: "jvmkill-killing", kind: .jvmOutOfMemory, generation: nil,
            literal: "jvmkill killing current process",
            pattern: #"\bjvmkill killing current process"#,
            caseless: false,
            sample: "jvmkill killing current process"),
        CatalogueEntry(
            id: "ecs-container-oom-killed", kind: .containerOOMKilled, generation: nil,
            literal: "killed due to memory usage",
            pattern: #"OutOfMemoryError: Container killed due to memory usage"#,
            caseless: true,
            sample: "OutOfMemoryError: Container killed due to memory usage"),
        CatalogueEntry(
            id: "cf-exited-out-of-memory", kind: .containerOOMKilled, generation: nil,
            literal: "(out of memory)",
            pattern: #"Exited with status (?<status>137) \(out of memory\)"#,
            caseless: false,
            sample: #"App instance exited with guid 4e5f payload: {"exit_description"=>"APP/PROC/WEB: Exited with status 137 (out of memory)"}"#),
        CatalogueEntry(
            id: "kernel-memcg-oom", kind: .containerOOMKilled, generation: nil,
            literal: "Memory cgroup out of memory",
            pattern: #"Memory cgroup out of memory: Killed process \d+ \((?<process>[^)]*)\)"#,
            caseless: false,
            sample: "Memory cgroup out of memory: Killed process 4242 (java) total-vm:4000000kB, anon-rss:520000kB"),
        CatalogueEntry(
            id: "kubernetes-oom-killed", kind: .containerOOMKilled, generation: nil,
            literal: "OOMKilled",
            pattern: #"(?:Reason:\s+OOMKilled|"?OOMKilled"?:\s*true|\bOOMKilled\b)"#,
            caseless: false,
            sample: "      Reason:       OOMKilled"),
        CatalogueEntry(
            id: "cloud-run-memory-limit-exceeded", kind: .containerOOMKilled, generation: nil,
            literal: "Memory limit of",
            pattern: #"Memory limit of (?<limit>\d+) ?(?<unit>MiB|GiB|M|G) exceeded with \d+ ?(?:MiB|GiB|M|G) used"#,
            caseless: false,
            sample: "Memory limit of 512 MiB exceeded with 516 MiB used. Consider increasing the memory limit, see "
                + "https://cloud.google.com/run/docs/configuring/memory-limits"),
        CatalogueEntry(
            id: "heroku-r15-memory-quota-vastly-exceeded", kind: .containerOOMKilled, generation: nil,
            literal: "Memory quota",
            pattern: #"Error R15 \(Memory quota vastly exceeded\)"#,
            caseless: false,
            sample: "2023-06-13T15:52:04.563102+00:00 heroku[web.1]: Error R15 (Memory quota vastly exceeded)"),
        CatalogueEntry(
            id: "heroku-r14-memory-quota-exceeded", kind: .memoryQuotaExceeded, generation: nil,
            literal: "Memory quota",
            pattern: #"Error R14 \(Memory quota exceeded\)"#,
            caseless: false,
            sample: "2023-06-13T15:51:44.123791+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)"),
        CatalogueEntry(
            id: "heroku-process-exited", kind: .processExited, generation: nil,
            literal: "Process exited with status",
            pattern: #"\bProcess exited with status (?<status>\d{1,3})\b"#,
            caseless: false,
            sample: "2021-05-03T17:53:04+00:00 heroku[web.1]: Process exited with status 137"),
        CatalogueEntry(
            id: "build-launch-setting", kind: .launchSettingAtBuild, generation: .libjvm,
            literal: "$BPL_JVM_",
            pattern: #"\$(?<name>BPL_JVM_(?:THREAD_COUNT|HEAD_ROOM|HEADROOM))(?:\s+|=)(?<value>\d+)\b"#,
            caseless: false,
            sample: "[INFO]     [creator]         $BPL_JVM_THREAD_COUNT        100             the number of threads in memory calculation"),
        CatalogueEntry(
            id: "testcontainers-log-dump", kind: .testcontainersDump, generation: nil,
            literal: "Log output from the failed container",
            pattern: #"Log output from the failed container"#,
            caseless: false,
            sample: "2021-01-18 10:19:23.421 ERROR 99720 --- [ers-lifecycle-0] [acme/orders:latest]    : Log output from the failed container:"),
    ]
}

/// The catalogue compiled once. Shared read-only across threads.
public struct CompiledCatalogue: Sendable {
    public struct Entry: Sendable {
        public let entry: CatalogueEntry
        public let pattern: PCRE2Pattern
        let literal: [UInt8]
    }
    public let entries: [Entry]

    public init(_ catalogue: [CatalogueEntry] = PatternCatalogue.builtIn) throws(PCRE2Pattern.CompileError) {
        var compiled: [Entry] = []
        for entry in catalogue {
            let pattern = try PCRE2Pattern(entry.pattern, caseless: entry.caseless)
            let literal = entry.caseless ? entry.literal.lowercased() : entry.literal
            compiled.append(Entry(entry: entry, pattern: pattern, literal: Array(literal.utf8)))
        }
        entries = compiled
    }
}
