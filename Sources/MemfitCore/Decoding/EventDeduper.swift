/// CloudWatch exports repeat events when windows overlap, pages are appended twice or `--follow` restarts
/// (log-formats.md §12.9): an event whose CloudWatch id *and* message were seen before is the same event, and must
/// not count as another start. The message is part of the key because ids are not unique outside CloudWatch (a
/// request `id`, a hand-edited export): two different lines under one id are two events, and neither may be lost.
/// Callers use it only where the format really carries CloudWatch event ids.
/// At most `maxIDs` keys are kept, as 64-bit hashes (a collision among them is vanishingly unlikely), so memory
/// stays bounded (about 2 MB); past that, later events are not deduplicated.
struct EventDeduper {
    static let maxIDs = 100_000
    private var seen: Set<Int> = []

    /// True when this id with this message was seen before in this input; records it otherwise.
    mutating func isRepeat(_ id: some StringProtocol, message: some StringProtocol) -> Bool {
        var hasher = Hasher()
        hasher.combine(String(id))
        hasher.combine(String(message))
        let key = hasher.finalize()
        if seen.contains(key) { return true }
        if seen.count < EventDeduper.maxIDs { seen.insert(key) }
        return false
    }
}
