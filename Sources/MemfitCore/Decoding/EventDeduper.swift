/// CloudWatch exports repeat events when windows overlap, pages are appended twice or `--follow` restarts
/// (log-formats.md §12.9): an `eventId` seen before is the same event, and must not count as another start.
/// At most `maxIDs` ids are kept, as 64-bit hashes (a collision among them is vanishingly unlikely), so memory
/// stays bounded (about 2 MB); past that, later events are not deduplicated.
struct EventDeduper {
    static let maxIDs = 100_000
    private var seen: Set<Int> = []

    /// True when `id` was seen before in this input; records it otherwise.
    mutating func isRepeat(_ id: some StringProtocol) -> Bool {
        let key = id.hashValue
        if seen.contains(key) { return true }
        if seen.count < EventDeduper.maxIDs { seen.insert(key) }
        return false
    }
}
