/// Collects facts as they stream in, folding repeats so memory stays bounded however long the input.
/// Facts are grouped by source: the log stream, container or pod when a prefix names it, else the input.
public struct FactLedger: Sendable {
    public struct SourceKey: Hashable, Sendable {
        /// Set only when the lines name no source, so unnamed lines of different inputs stay apart.
        public var input: String?
        public var source: String?
    }

    /// One distinct fact and how often it was seen.
    public struct Entry: Sendable {
        public var first: Fact
        public var last: Evidence
        public var lastTimestamp: String?
        public var count: Int
        /// The earliest and latest times seen, in epoch milliseconds, when the timestamps could be read.
        public var earliest: Int64?
        public var latest: Int64?

        mutating func saw(_ timestamp: String?) {
            guard let timestamp, let ms = LogTimestamp.milliseconds(timestamp) else { return }
            earliest = min(earliest ?? ms, ms)
            latest = max(latest ?? ms, ms)
        }
    }

    public struct SourceFacts: Sendable {
        public var key: SourceKey
        public var entries: [Entry] = []
        var index: [FactPayload: Int] = [:]
    }

    /// A cap on distinct facts; beyond it facts are counted, not kept.
    public static let maxDistinctFacts = 100_000

    public private(set) var sources: [SourceFacts] = []
    private var sourceIndex: [SourceKey: Int] = [:]
    private var distinct = 0
    public private(set) var droppedFacts = 0

    public init() {}

    public mutating func add(_ fact: Fact) {
        let key = SourceKey(input: fact.source == nil ? fact.evidence.input : nil, source: fact.source)
        let s: Int
        if let existing = sourceIndex[key] {
            s = existing
        } else {
            guard distinct < FactLedger.maxDistinctFacts else { droppedFacts += 1; return }
            s = sources.count
            sources.append(SourceFacts(key: key))
            sourceIndex[key] = s
        }
        if let e = sources[s].index[fact.payload] {
            sources[s].entries[e].count += 1
            sources[s].entries[e].last = fact.evidence
            if fact.timestamp != nil { sources[s].entries[e].lastTimestamp = fact.timestamp }
            sources[s].entries[e].saw(fact.timestamp)
            return
        }
        guard distinct < FactLedger.maxDistinctFacts else { droppedFacts += 1; return }
        distinct += 1
        sources[s].index[fact.payload] = sources[s].entries.count
        var entry = Entry(first: fact, last: fact.evidence, lastTimestamp: fact.timestamp, count: 1)
        entry.saw(fact.timestamp)
        sources[s].entries.append(entry)
    }
}
