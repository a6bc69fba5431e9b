/// A faithful model of the Paketo libjvm memory calculator (`calc/calculator.go`, unchanged since v1.20.0),
/// used by `memfit calc` and to test the alternatives memfit recommends.
public struct MemoryCalculator: Sendable {
    public static let classSize: Int64 = 5_800
    public static let classOverhead: Int64 = 14_000_000
    public static let defaultDirectMemory = MemorySize.mebibytes(10)
    public static let defaultCodeCache = MemorySize.mebibytes(240)
    public static let defaultStack = MemorySize.mebibytes(1)
    public static let defaultThreadCount = 250

    public var totalMemory: MemorySize
    public var loadedClassCount: Int
    public var threadCount: Int
    public var headRoomPercent: Int
    public var jvmOptions: String

    public init(
        totalMemory: MemorySize, loadedClassCount: Int, threadCount: Int = MemoryCalculator.defaultThreadCount,
        headRoomPercent: Int = 0, jvmOptions: String = ""
    ) {
        self.totalMemory = totalMemory
        self.loadedClassCount = loadedClassCount
        self.threadCount = threadCount
        self.headRoomPercent = headRoomPercent
        self.jvmOptions = jvmOptions
    }

    /// Metaspace the calculator assigns for a loaded class count.
    public static func metaspace(forLoadedClasses n: Int) -> MemorySize {
        MemorySize(bytes: classOverhead.saturatingAdd(classSize.saturatingMultiply(Int64(n))))
    }

    /// The loaded class count behind a printed metaspace, when the metaspace was calculated.
    /// At most one count fits, because 5,800 B per class is more than the 1 KiB the print truncates.
    /// The class count behind a printed size of `overhead + perClass × n` bytes. CF v3 prints whole KiB rounded to the
    /// nearest (memory-calculator.md §5.2), libjvm and CF v4 whole KiB rounded down.
    public static func loadedClassCount(
        forPrinted printed: MemorySize, overhead: Int64, perClass: Int64, roundedToNearest: Bool
    ) -> Int? {
        guard printed.isPlausible, perClass > 0 else { return nil }
        let k = printed.bytes / MemorySize.kibi
        let low = roundedToNearest ? k * MemorySize.kibi - MemorySize.kibi / 2 : k * MemorySize.kibi
        let high = roundedToNearest ? k * MemorySize.kibi + MemorySize.kibi / 2 - 1 : low + MemorySize.kibi - 1
        guard high >= overhead else { return nil }
        let n = max(0, (low - overhead + perClass - 1) / perClass)
        return overhead + perClass * n <= high ? Int(n) : nil
    }

    /// CF v3 for Java 7: PermGen = 7,000,000 B + 6,000 B × classes (memory-calculator.md §2.3).
    public static let permGenOverhead: Int64 = 7_000_000
    public static let permGenClassSize: Int64 = 6_000

    public static func loadedClassCount(forPrintedMetaspace printed: MemorySize) -> Int? {
        guard printed.isPlausible else { return nil }
        let low = (printed.bytes / MemorySize.kibi) * MemorySize.kibi
        let high = low + MemorySize.kibi - 1
        guard high >= classOverhead else { return nil }
        let n = max(0, (low - classOverhead + classSize - 1) / classSize)
        let bytes = classOverhead + classSize * n
        return bytes <= high ? Int(n) : nil
    }

    public enum Outcome: Sendable, Equatable {
        /// The JVM starts; `line` is the "Calculated JVM Memory Configuration" line.
        case fits(regions: CalculatedRegions, line: String, calculatedFlags: String)
        /// The calculator exits 1 with `line`, the message after "unable to calculate memory configuration".
        case doesNotFit(check: CalculatorCheck, required: MemorySize, line: String)
        /// `JAVA_TOOL_OPTIONS` could not be split (an unterminated quote).
        case invalidOptions(line: String)
    }

    public func calculate() -> Outcome {
        guard let tokens = ShellWords.split(jvmOptions) else {
            return .invalidOptions(line: "unable to create memory regions from flags\nunable to parse flags")
        }
        let user = UserMemoryFlags(tokens: tokens)
        let metaspace = user.metaspace ?? MemoryCalculator.metaspace(forLoadedClasses: loadedClassCount)
        var regions = CalculatedRegions(
            directMemory: user.directMemory ?? MemoryCalculator.defaultDirectMemory,
            metaspace: metaspace,
            codeCache: user.codeCache ?? MemoryCalculator.defaultCodeCache,
            stack: user.stack ?? MemoryCalculator.defaultStack,
            threadCount: threadCount,
            headroom: .zero,
            heap: user.heap ?? .zero,
            userSet: user.setRegions
        )
        let fixed = regions.fixed
        if fixed > totalMemory {
            return .doesNotFit(
                check: .fixed, required: fixed,
                line: "fixed memory regions require \(fixed) which is greater than \(totalMemory) available for allocation: \(regions.fixedList)")
        }
        // Go: int64((float64(headRoom) / 100) * float64(total)); the float rounding matters to the KiB.
        regions.headroom = MemorySize(bytes: Int64((Double(headRoomPercent) / 100) * Double(totalMemory.bytes)))
        let nonHeap = regions.nonHeap
        if nonHeap > totalMemory {
            return .doesNotFit(
                check: .nonHeap, required: nonHeap,
                line: "non-heap memory regions require \(nonHeap) which is greater than \(totalMemory) available for allocation: \(regions.nonHeapList)")
        }
        if user.heap == nil { regions.heap = totalMemory - nonHeap }
        let all = regions.all
        if all > totalMemory {
            return .doesNotFit(
                check: .all, required: all,
                line: "all memory regions require \(all) which is greater than \(totalMemory) available for allocation: \(regions.allList)")
        }
        var calculated: [String] = []
        if !user.setRegions.contains(.directMemory) { calculated.append("-XX:MaxDirectMemorySize=\(regions.directMemory)") }
        if !user.setRegions.contains(.heap) { calculated.append("-Xmx\(regions.heap)") }
        if !user.setRegions.contains(.metaspace) { calculated.append("-XX:MaxMetaspaceSize=\(regions.metaspace)") }
        if !user.setRegions.contains(.codeCache) { calculated.append("-XX:ReservedCodeCacheSize=\(regions.codeCache)") }
        if !user.setRegions.contains(.stack) { calculated.append("-Xss\(regions.stack)") }
        let flags = calculated.joined(separator: " ")
        let line = "Calculated JVM Memory Configuration: \(flags) (Total Memory: \(totalMemory), Thread Count: \(threadCount), "
            + "Loaded Class Count: \(loadedClassCount), Headroom: \(headRoomPercent)%)"
        return .fits(regions: regions, line: line, calculatedFlags: flags)
    }
}

/// Which of the calculator's three checks failed (`calc/calculator.go`).
public enum CalculatorCheck: String, Sendable, Codable, CaseIterable {
    case fixed
    case nonHeap = "non-heap"
    case all
}

/// The JVM memory regions, as the calculator adds them up.
public struct CalculatedRegions: Sendable, Equatable {
    public enum Region: String, Sendable, Hashable { case directMemory, heap, metaspace, codeCache, stack }

    public var directMemory: MemorySize
    public var metaspace: MemorySize
    public var codeCache: MemorySize
    public var stack: MemorySize
    public var threadCount: Int
    public var headroom: MemorySize
    public var heap: MemorySize
    public var userSet: Set<Region>

    public var threadStacks: MemorySize { stack * threadCount }
    public var fixed: MemorySize { directMemory + metaspace + codeCache + threadStacks }
    public var nonHeap: MemorySize { fixed + headroom }
    public var all: MemorySize { nonHeap + heap }

    var fixedList: String {
        "-XX:MaxDirectMemorySize=\(directMemory), -XX:MaxMetaspaceSize=\(metaspace), "
            + "-XX:ReservedCodeCacheSize=\(codeCache), -Xss\(stack) * \(threadCount) threads"
    }
    var nonHeapList: String { "\(headroom) headroom, " + fixedList }
    var allList: String { "-Xmx\(heap), " + nonHeapList }
}

/// The memory flags a user put in `JAVA_TOOL_OPTIONS`; the last matching token wins, as in libjvm.
struct UserMemoryFlags {
    var directMemory: MemorySize?
    var heap: MemorySize?
    var metaspace: MemorySize?
    var codeCache: MemorySize?
    var stack: MemorySize?

    var setRegions: Set<CalculatedRegions.Region> {
        var set: Set<CalculatedRegions.Region> = []
        if directMemory != nil { set.insert(.directMemory) }
        if heap != nil { set.insert(.heap) }
        if metaspace != nil { set.insert(.metaspace) }
        if codeCache != nil { set.insert(.codeCache) }
        if stack != nil { set.insert(.stack) }
        return set
    }

    init(tokens: [String]) {
        for token in tokens {
            if let v = UserMemoryFlags.value(token, prefix: "-XX:MaxDirectMemorySize=") { directMemory = v }
            else if let v = UserMemoryFlags.value(token, prefix: "-Xmx") { heap = v }
            else if let v = UserMemoryFlags.value(token, prefix: "-XX:MaxMetaspaceSize=") { metaspace = v }
            else if let v = UserMemoryFlags.value(token, prefix: "-XX:ReservedCodeCacheSize=") { codeCache = v }
            else if let v = UserMemoryFlags.value(token, prefix: "-Xss") { stack = v }
        }
    }

    /// `^PREFIX([\d]+)([kmgtKMGT]?)$`; anything else (`-Xmx1.5g`, `-Xmx512MB`) is ignored, as libjvm does.
    private static func value(_ token: String, prefix: String) -> MemorySize? {
        guard token.hasPrefix(prefix) else { return nil }
        let rest = token.dropFirst(prefix.count)
        guard !rest.utf8.contains(where: isSpace) else { return nil }
        return MemorySize(parsing: rest)
    }
}

/// Splits like `go-shellwords` for the cases that matter here: blanks separate, quotes group, backslash escapes.
enum ShellWords {
    static func split(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in text {
            if escaped { current.append(ch); escaped = false; inWord = true; continue }
            if ch == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
                continue
            }
            if ch == "\"" || ch == "'" { quote = ch; inWord = true; continue }
            if ch == " " || ch == "\t" || ch == "\n" {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            current.append(ch)
            inWord = true
        }
        if quote != nil || escaped { return nil }
        if inWord { words.append(current) }
        return words
    }
}
