import CStringSearch

/// The first, cheap half of matching: finds the lines that contain a literal some catalogue entry requires,
/// searching whole blocks of lines with glibc's SIMD memmem, so the bytes of ordinary lines are looked at a few
/// times by vectorised code and never by the cleaner or PCRE2 (as ripgrep and GNU grep do).
public struct Prefilter: Sendable {
    let literals: [[UInt8]]

    public init(literals: [String] = PatternCatalogue.prefilterLiterals) {
        self.literals = literals.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// True when `line` contains at least one literal.
    public func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress, !line.isEmpty else { return false }
        for literal in literals {
            let hit = literal.withUnsafeBytes { memfit_memmem(base, line.count, $0.baseAddress, $0.count) }
            if hit != nil { return true }
        }
        return false
    }

    /// The start offsets of the lines of `block` (complete lines, each ending in "\n") that contain a literal,
    /// ascending and each once.
    public func candidateLineStarts(in block: UnsafeBufferPointer<UInt8>) -> [Int] {
        guard let base = block.baseAddress, !block.isEmpty else { return [] }
        var starts: [Int] = []
        for literal in literals {
            literal.withUnsafeBytes { lit in
                var position = 0
                while position < block.count,
                      let hit = memfit_memmem(base + position, block.count - position, lit.baseAddress, lit.count) {
                    let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    let start = offset == 0 ? 0 : memfit_memrchr(base, 0x0A, offset).map {
                        base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1
                    } ?? 0
                    starts.append(start)
                    // Resume after this line: one hit per line and literal is enough.
                    position = LineReader.indexOfNewline(block, from: offset).map { $0 + 1 } ?? block.count
                }
            }
        }
        guard starts.count > 1 else { return starts }
        starts.sort()
        var unique: [Int] = [starts[0]]
        for s in starts.dropFirst() where s != unique[unique.count - 1] { unique.append(s) }
        return unique
    }
}
