/// Where a fact came from, quoted back to the user.
public struct Evidence: Sendable, Hashable, Codable {
    public var input: String
    public var line: Int
    public var text: String
    /// The line's timestamp as written, when it had one (for the report's timeline).
    public var timestamp: String?

    public init(input: String, line: Int, text: String, timestamp: String? = nil) {
        self.input = input
        self.line = line
        self.text = text
        self.timestamp = timestamp
    }
}

/// The memory regions a calculator message lists. Any of them can be missing from a given wording.
public struct PrintedRegions: Sendable, Hashable {
    public var directMemory: MemorySize?
    public var metaspace: MemorySize?
    public var codeCache: MemorySize?
    public var compressedClassSpace: MemorySize?
    public var stack: MemorySize?
    public var threadCount: Int?
    public var heap: MemorySize?
    public var headroom: MemorySize?
    /// The metaspace figure was a Java 7 `-XX:MaxPermSize` (CF v3): PermGen has its own formula.
    public var permGen = false

    /// Threads beyond this, or a stack beyond 1 GiB (the JVM's own maximum), are not real figures.
    static let maxThreads = 1_000_000
    static let maxStack = MemorySize.gibibytes(1)

    /// Parses the list after "available for allocation:" (libjvm and CF v4) or inside the parentheses (CF v3).
    /// Items are separated by ", "; unknown items and implausible figures are ignored.
    public init(list: String) {
        for rawItem in list.split(separator: ",", maxSplits: 64) {
            let item = rawItem.trimmingBlanks()
            if let v = item.sizeAfter("-XX:MaxDirectMemorySize=") { directMemory = v }
            else if let v = item.sizeAfter("-XX:MaxMetaspaceSize=") { metaspace = v }
            else if let v = item.sizeAfter("-XX:MaxPermSize=") { metaspace = v; permGen = true }
            else if let v = item.sizeAfter("-XX:ReservedCodeCacheSize=") { codeCache = v }
            else if let v = item.sizeAfter("-XX:CompressedClassSpaceSize=") { compressedClassSpace = v }
            else if let v = item.sizeAfter("-Xmx") { heap = v }
            else if item.hasPrefix("-Xss") {
                // "-Xss1M * 250 threads" (libjvm, CF v3) or "-Xss1M x 50 threads" (CF v4)
                let words = item.dropFirst(4).split(separator: " ")
                if words.count >= 3, let size = MemorySize(parsing: words[0], allowByteSuffix: true),
                   size <= PrintedRegions.maxStack, words[1] == "*" || words[1] == "x", let n = Int(words[2]),
                   n >= 0, n <= PrintedRegions.maxThreads {
                    stack = size
                    threadCount = n
                } else if words.count == 1, let size = MemorySize(parsing: words[0], allowByteSuffix: true),
                          size <= PrintedRegions.maxStack {
                    stack = size  // a success line's "-Xss1M": the thread count is printed elsewhere
                }
            } else if item.hasSuffix(" headroom"), let v = MemorySize(parsing: item.dropLast(9), allowByteSuffix: true),
                      v.isPlausible {
                headroom = v
            }
        }
    }

    public init() {}
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        let text = String(self)
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { bytes.formIndex(after: &start) }
        while end > start {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        return String(text[start..<end])
    }

    /// The size after `prefix`, when it is one and a plausible one (at most 64T).
    func sizeAfter(_ prefix: String) -> MemorySize? {
        guard hasPrefix(prefix), let size = MemorySize(parsing: dropFirst(prefix.count), allowByteSuffix: true),
              size.isPlausible else { return nil }
        return size
    }
}

/// A calculator's "does not fit" message, as printed.
public struct PrintedFailure: Sendable, Hashable {
    public var generation: CalculatorGeneration
    public var check: CalculatorCheck?
    public var required: MemorySize?
    public var available: MemorySize?
    public var regions: PrintedRegions
    /// Free text for wordings without numbers (CF v2).
    public var detail: String?
}

/// A "Calculated JVM Memory Configuration" line: the calculator succeeded.
public struct PrintedConfiguration: Sendable, Hashable {
    public var generation: CalculatorGeneration
    public var flags: String
    public var total: MemorySize
    public var threadCount: Int
    public var loadedClassCount: Int
    public var headroomPercent: Int
    /// Regions the calculator set (user-set ones are not printed).
    public var regions: PrintedRegions
}

/// Stage 4 output: what one catalogued line says, independent of its wording.
public enum FactPayload: Sendable, Hashable {
    case regionsDoNotFit(PrintedFailure)
    case calculationFailedHeader
    case sizedFromAvailableMemory(MemorySize)
    case availableMemoryLink(backquote: Bool)
    case limitUnset(assumed: MemorySize)
    case limitTooLarge(assumed: MemorySize)
    case limitUnconvertible(value: String)
    case calculatedConfiguration(PrintedConfiguration)
    case execdMemoryCalculatorFailed(vendor: String?, path: String, status: Int)
    case execdOtherFailed(path: String, cause: String)
    case launcherFailed(cause: String)
    case calculatorError(cause: String)
    case jvmOutOfMemory(what: String)
    case memoryQuotaExceeded
    /// `how` says which platform message it was; the attributes carry the limit when the document gave it.
    case containerOOMKilled(how: String, attributes: RecordAttributes?)
    case testcontainersDump
    /// A build log's launch-configuration row, e.g. `$BPL_JVM_THREAD_COUNT 100`.
    case launchSettingAtBuild(name: String, value: Int)
    /// The regions a `Picked up JAVA_TOOL_OPTIONS:` line sets (the last of each flag, as the calculator reads it).
    case javaToolOptions(PrintedRegions)
    /// CF staging's `Memory Calculator installed: … Headroom: N`: the headroom percent the run's calculator uses.
    case stagingHeadroom(percent: Int)
    /// "Process exited with status N".
    case processExited(status: Int)
    /// The JVM would not start with one of its options; `cause` says why in plain words.
    case jvmOptionRejected(cause: String)
    /// A `--rules` rule matched (its conditions held).
    case userRule(UserRuleHit)
}

public struct Fact: Sendable {
    public var payload: FactPayload
    public var entryID: String
    public var source: String?
    public var timestamp: String?
    public var platformHint: Platform?
    public var platformReason: String?
    public var evidence: Evidence
}
