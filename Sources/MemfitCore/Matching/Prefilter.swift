import CStringSearch

/// The first, cheap half of matching: finds the lines that contain a literal some catalogue entry requires,
/// searching whole blocks in one vectorised pass for all literals at once (`LiteralSet`), so the bytes of
/// ordinary lines are never seen by the cleaner or PCRE2 (as ripgrep and GNU grep do).
public struct Prefilter: Sendable {
    let set: LiteralSet
    /// Passes every line (a user rule without a literal).
    let everyLine: Bool

    public init(literals: [String] = PatternCatalogue.prefilterSearchLiterals) {
        set = LiteralSet(literals.map { Array($0.utf8) }.filter { !$0.isEmpty })
        everyLine = false
    }

    public init(everyLine: Bool) {
        set = LiteralSet([])
        self.everyLine = everyLine
    }

    /// True when `line` contains at least one literal.
    public func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        everyLine || set.firstOccurrence(in: line) != nil
    }

    /// The start offsets of the lines of `block` (complete lines, each ending in "\n") that contain a literal,
    /// ascending and each once.
    public func candidateLineStarts(in block: UnsafeBufferPointer<UInt8>) -> [Int] {
        guard let base = block.baseAddress, !block.isEmpty else { return [] }
        var starts: [Int] = []
        if everyLine {
            var start = 0
            while start < block.count {
                starts.append(start)
                start = LineReader.indexOfNewline(block, from: start).map { $0 + 1 } ?? block.count
            }
            return starts
        }
        var position = 0
        while position < block.count,
              let hit = set.firstOccurrence(in: UnsafeBufferPointer(rebasing: block[position...])) {
            let offset = position + hit
            let start = offset == 0 ? 0 : memfit_memrchr(base, 0x0A, offset).map {
                base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1
            } ?? 0
            starts.append(start)
            // Resume after this line: one hit per line is enough.
            position = LineReader.indexOfNewline(block, from: offset).map { $0 + 1 } ?? block.count
        }
        return starts
    }
}

/// Literals searched for together in one pass over the bytes (see `string_search.h`). Each literal is found by
/// the 3 bytes of it that ordinary log text holds least often, so few positions need a full comparison.
final class LiteralSet: @unchecked Sendable {
    // Built once and never changed, so sharing it between scanning threads is safe.
    private let set: OpaquePointer?
    private let literals: [[UInt8]]

    init(_ literals: [[UInt8]]) {
        self.literals = literals
        let offsets = literals.map(LiteralSet.rarestWindow)
        let pointers = literals.map { literal -> UnsafeMutablePointer<UInt8> in
            let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: literal.count)
            copy.initialize(from: literal, count: literal.count)
            return copy
        }
        defer { pointers.forEach { $0.deallocate() } }
        let constPointers: [UnsafePointer<UInt8>?] = pointers.map { UnsafePointer($0) }
        set = literals.isEmpty ? nil : memfit_literal_set_new(constPointers, literals.map(\.count), offsets, literals.count)
    }

    deinit { memfit_literal_set_free(set) }

    /// The offset where some literal starts in `bytes`, in the first line that holds any; nil when none does.
    func firstOccurrence(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        guard let set else { return literals.isEmpty ? nil : slowFirstOccurrence(in: bytes) }
        let hit = memfit_literal_set_find(set, base, bytes.count)
        return hit < 0 ? nil : hit
    }

    /// Without the C set (more than 64 literals, or out of memory): memmem per literal.
    private func slowFirstOccurrence(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var best: Int?
        for literal in literals {
            let hit = literal.withUnsafeBytes { memfit_memmem(bytes.baseAddress, bytes.count, $0.baseAddress, $0.count) }
            if let hit {
                let offset = bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                best = min(best ?? offset, offset)
            }
        }
        return best
    }

    /// The start of the 3-byte window of `literal` made of the bytes least common in log text: spaces and lowercase
    /// letters are everywhere, capitals and most punctuation much rarer.
    static func rarestWindow(_ literal: [UInt8]) -> Int {
        guard literal.count > 3 else { return 0 }
        func commonness(_ byte: UInt8) -> Int {
            switch byte {
            case UInt8(ascii: " "): return 10
            case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
                 UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"): return 8
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return 7
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return 5
            case UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "/"),
                 UInt8(ascii: "_"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\""): return 5
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return 3
            default: return 2
            }
        }
        var best = 0
        var bestScore = Int.max
        for start in 0...(literal.count - 3) {
            let score = literal[start..<start + 3].reduce(0) { $0 + commonness($1) }
            if score < bestScore { (best, bestScore) = (start, score) }
        }
        return best
    }
}
