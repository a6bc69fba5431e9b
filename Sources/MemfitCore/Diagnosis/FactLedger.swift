/// Collects facts as they stream in and folds repeats, so memory stays bounded however long the input, and no
/// failure is dropped to make room. Facts are grouped by source: the log stream, container or pod when the input
/// names it, else the input itself.
///
/// Repeats of a calculator failure, a successful calculation or a free-memory reading fold into one entry per
/// source that keeps the worst case (least memory, least heap) and the range seen. Other facts are kept distinct,
/// up to a cap per source. Past `maxSources`, further sources share one overflow entry.
public struct FactLedger: Sendable {
    public struct SourceKey: Hashable, Sendable {
        /// Set only when the lines name no source, so unnamed lines of different inputs stay apart.
        public var input: String?
        public var source: String?
    }

    /// One folded fact: its worst case, how often it was seen, when, and the range of its figure.
    public struct Entry: Sendable {
        /// The worst case for folded kinds, else the first occurrence.
        public var first: Fact
        public var last: Evidence
        public var firstTimestamp: String?
        public var lastTimestamp: String?
        public var count: Int
        /// The earliest and latest times seen, in epoch milliseconds, when the timestamps could be read.
        public var earliest: Int64?
        public var latest: Int64?
        /// The smallest and largest figure (available memory, heap) seen across the repeats.
        public var lowest: Int64?
        public var highest: Int64?
        /// The first starts of a folded kind, in input order (at most `maxSamples`), for drift between starts.
        public var samples: [Sample] = []

        init(_ fact: Fact) {
            first = fact
            last = fact.evidence
            firstTimestamp = fact.timestamp
            lastTimestamp = fact.timestamp
            count = 1
            saw(fact)
        }

        mutating func saw(_ fact: Fact) {
            if samples.count < FactLedger.maxSamples, let sample = FactLedger.sample(fact.payload) { samples.append(sample) }
            if let timestamp = fact.timestamp, let ms = LogTimestamp.milliseconds(timestamp) {
                earliest = min(earliest ?? ms, ms)
                latest = max(latest ?? ms, ms)
            }
            if let figure = FactLedger.figure(fact.payload) {
                lowest = min(lowest ?? figure, figure)
                highest = max(highest ?? figure, figure)
            }
        }

        /// Folds in a later repeat: one more line of the same input, or the same kind of entry from a later input.
        mutating func absorb(_ later: Entry) {
            count += later.count
            last = later.last
            lastTimestamp = later.lastTimestamp ?? lastTimestamp
            firstTimestamp = firstTimestamp ?? later.firstTimestamp
            // The worst case is the smallest figure; a first entry with no readable figure gives way to one with.
            if let new = FactLedger.figure(later.first.payload), FactLedger.figure(first.payload).map({ new < $0 }) ?? true {
                first = later.first
            }
            earliest = [earliest, later.earliest].compactMap { $0 }.min()
            latest = [latest, later.latest].compactMap { $0 }.max()
            lowest = [lowest, later.lowest].compactMap { $0 }.min()
            highest = [highest, later.highest].compactMap { $0 }.max()
            samples += later.samples.prefix(max(0, FactLedger.maxSamples - samples.count))
        }
    }

    public struct SourceFacts: Sendable {
        public var key: SourceKey
        public var entries: [Entry] = []
        var index: [FoldKey: Int] = [:]
        /// Entries counted against `maxDistinctPerSource`.
        var distinctCount = 0
    }

    /// What makes two facts "the same" for folding.
    enum FoldKey: Hashable, Sendable {
        case regions(CalculatorGeneration)
        case configuration(CalculatorGeneration)
        case sizedFromAvailableMemory
        /// Every hit of one user rule is one entry (the first kept), however its groups vary.
        case userRule(String)
        /// OutOfMemoryErrors of one type are one entry, whatever text follows the type.
        case jvmOutOfMemory(String)
        case distinct(FactPayload)

        /// Keys whose number has no bound of its own (any text can make a new one), so they count against the caps.
        var isOpenEnded: Bool {
            switch self {
            case .distinct, .jvmOutOfMemory: return true
            default: return false
            }
        }
    }

    /// One start's figures: the memory the calculator had and the classes it assumed.
    public struct Sample: Sendable, Equatable {
        public var available: Int64
        public var loadedClasses: Int?
        /// The heap a successful start left (nil for failures and free-memory readings).
        public var heap: Int64?
    }

    public static let maxSamples = 64
    public static let maxSources = 10_000
    public static let maxDistinctPerSource = 64
    /// Distinct (unfolded) entries over all sources: with many sources each under its own cap, this is what keeps
    /// memory bounded (a tester reached 1.8 GB with 5,000 pods of 64 different OOM lines each).
    public static let maxDistinctEntries = 10_000
    /// Distinct failure entries over all sources: a budget of their own, apart from the warnings'.
    public static let maxFailureEntries = 10_000
    public static let overflowSource = "(further sources, counted together)"

    public private(set) var sources: [SourceFacts] = []
    private var sourceIndex: [SourceKey: Int] = [:]
    /// Distinct facts beyond a source's cap or the overall cap: counted, not kept.
    public private(set) var droppedFacts = 0
    private var distinctEntries = 0
    private var failureEntries = 0

    public init() {}

    public mutating func add(_ fact: Fact) {
        let s = slot(for: SourceKey(input: fact.source == nil ? fact.evidence.input : nil, source: fact.source))
        insert(Entry(fact), fold: FactLedger.foldKey(fact.payload), into: s)
    }

    /// Adds another ledger's facts after this one's, as if its input had been read next (parallel scans merge in
    /// input order, so the result does not depend on how the work was split).
    public mutating func merge(_ other: FactLedger) {
        droppedFacts += other.droppedFacts
        for source in other.sources {
            let s = slot(for: source.key)
            for entry in source.entries {
                insert(entry, fold: FactLedger.foldKey(entry.first.payload), into: s)
            }
        }
    }

    /// The index of a source's facts, made on first sight; past `maxSources` new sources share one overflow slot.
    private mutating func slot(for key: SourceKey) -> Int {
        var key = key
        if sourceIndex[key] == nil && sources.count >= FactLedger.maxSources {
            key = SourceKey(input: nil, source: FactLedger.overflowSource)
        }
        if let existing = sourceIndex[key] { return existing }
        sources.append(SourceFacts(key: key))
        sourceIndex[key] = sources.count - 1
        return sources.count - 1
    }

    /// Folds an entry into its twin, or keeps it as a new one unless a cap is reached (then counted).
    /// Facts that make a failure have their own budget, so a flood of warnings can never push a failure out.
    private mutating func insert(_ entry: Entry, fold: FoldKey, into s: Int) {
        if let e = sources[s].index[fold] {
            sources[s].entries[e].absorb(entry)
            return
        }
        if fold.isOpenEnded {
            if FactLedger.makesFailure(entry.first.payload) {
                guard failureEntries < FactLedger.maxFailureEntries else {
                    droppedFacts += entry.count
                    return
                }
                failureEntries += 1
            } else {
                guard sources[s].distinctCount < FactLedger.maxDistinctPerSource,
                      distinctEntries < FactLedger.maxDistinctEntries else {
                    droppedFacts += entry.count
                    return
                }
                distinctEntries += 1
                sources[s].distinctCount += 1
            }
        }
        sources[s].index[fold] = sources[s].entries.count
        sources[s].entries.append(entry)
    }

    /// Facts that are a failure on their own (the diagnoser reports them with severity failure).
    static func makesFailure(_ payload: FactPayload) -> Bool {
        switch payload {
        case .regionsDoNotFit, .calculationFailedHeader, .execdMemoryCalculatorFailed, .execdOtherFailed, .launcherFailed,
             .calculatorError, .jvmOutOfMemory, .containerOOMKilled, .memoryQuotaExceeded:
            return true
        case .userRule(let hit): return hit.severity == .failure
        default: return false
        }
    }

    static func foldKey(_ payload: FactPayload) -> FoldKey {
        switch payload {
        case .regionsDoNotFit(let f): return .regions(f.generation)
        case .calculatedConfiguration(let c): return .configuration(c.generation)
        case .sizedFromAvailableMemory: return .sizedFromAvailableMemory
        case .userRule(let hit): return .userRule(hit.ruleID)
        case .jvmOutOfMemory(let what): return .jvmOutOfMemory(FactLedger.outOfMemoryType(what))
        default: return .distinct(payload)
        }
    }

    /// "Java heap space", "Metaspace", "unable to create native thread: …": the words before any figure or colon,
    /// at most five, so repeats of one error that differ in their details fold together.
    static func outOfMemoryType(_ what: String) -> String {
        var words: [Substring] = []
        for word in what.split(separator: " ", omittingEmptySubsequences: true) {
            guard words.count < 5, !word.contains(where: \.isNumber) else { break }
            words.append(word)
            if word.hasSuffix(":") || word.hasSuffix(",") { break }
        }
        return words.joined(separator: " ").lowercased()
    }

    static func sample(_ payload: FactPayload) -> Sample? {
        switch payload {
        case .regionsDoNotFit(let f):
            guard let available = f.available else { return nil }
            return Sample(available: available.bytes,
                          loadedClasses: f.regions.metaspace.flatMap(MemoryCalculator.loadedClassCount(forPrintedMetaspace:)))
        case .calculatedConfiguration(let c):
            return Sample(available: c.total.bytes, loadedClasses: c.loadedClassCount, heap: c.regions.heap?.bytes)
        case .sizedFromAvailableMemory(let size): return Sample(available: size.bytes, loadedClasses: nil)
        default: return nil
        }
    }

    /// The figure whose smallest value is the worst case: available memory, or the heap a success left.
    static func figure(_ payload: FactPayload) -> Int64? {
        switch payload {
        case .regionsDoNotFit(let f): return f.available?.bytes
        case .calculatedConfiguration(let c): return c.regions.heap?.bytes ?? c.total.bytes
        case .sizedFromAvailableMemory(let size): return size.bytes
        default: return nil
        }
    }
}
