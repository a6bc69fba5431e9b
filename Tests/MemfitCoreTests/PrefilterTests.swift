import Testing
@testable import MemfitCore

/// The one-pass literal search must find exactly the lines a naive per-literal search finds, at every alignment
/// (the vector loop steps 32 bytes; the scalar tail takes the rest) and at the very ends of a block.
@Suite struct PrefilterTests {
    /// A naive reference: the start of each line holding any literal.
    static func naiveCandidateStarts(_ block: [UInt8], _ literals: [[UInt8]]) -> [Int] {
        var starts: [Int] = []
        var lineStart = 0
        for (i, byte) in block.enumerated() where byte == 0x0A {
            let line = block[lineStart..<i]
            if literals.contains(where: { lit in
                line.count >= lit.count && (line.startIndex...(line.endIndex - lit.count)).contains { Array(block[$0..<$0 + lit.count]) == lit }
            }) { starts.append(lineStart) }
            lineStart = i + 1
        }
        return starts
    }

    static let literalTables: [[String]] = [
        PatternCatalogue.prefilterLiterals,
        ["ab", "x"],  // shorter than the 3-byte fingerprint
        ["aaa", "aab", "aba"],  // overlapping, same bucket pattern
        (0..<20).map { "lit\($0)Z" },  // more literals than buckets
    ]

    @Test(arguments: 0..<literalTables.count)
    func findsTheSameLinesAsANaiveSearch(table: Int) {
        let literals = Self.literalTables[table].map { Array($0.utf8) }
        let prefilter = Prefilter(literals: Self.literalTables[table])
        var generator = SplitMix64(seed: UInt64(table) + 11)
        let alphabet = Array("abxZ Memory$:0123lit\n".utf8)
        for round in 0..<300 {
            var block: [UInt8] = []
            let length = Int(generator.next() % 300)
            while block.count < length {
                if generator.next() % 9 == 0, let lit = literals.randomElement(using: &generator) {
                    block += lit
                } else {
                    block.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
                }
            }
            block.append(0x0A)
            let found = block.withUnsafeBufferPointer { prefilter.candidateLineStarts(in: $0) }
            let expected = Self.naiveCandidateStarts(block, literals)
            #expect(found == expected, "table \(table), round \(round): \(String(decoding: block, as: UTF8.self).debugDescription)")
        }
    }

    /// A literal at each offset of a block of 100 bytes, including the last bytes, where only the tail loop looks.
    @Test(arguments: PatternCatalogue.prefilterLiterals)
    func findsALiteralAtEveryOffset(literal: String) {
        let prefilter = Prefilter()
        let lit = Array(literal.utf8)
        for offset in 0...(100 - lit.count) {
            var line = [UInt8](repeating: UInt8(ascii: "."), count: 100)
            line.replaceSubrange(offset..<offset + lit.count, with: lit)
            let hit = line.withUnsafeBufferPointer { prefilter.matches($0) }
            #expect(hit, "\(literal) at \(offset)")
            line[offset + lit.count - 1] = UInt8(ascii: "#")
            let miss = line.withUnsafeBufferPointer { prefilter.matches($0) }
            #expect(!miss, "damaged \(literal) at \(offset)")
        }
    }

    @Test func countsNewlinesAcrossTheVectorAndTailLoops() {
        for count in [0, 1, 31, 32, 33, 8_160, 8_161, 70_000] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 % 3 == 0 ? 0x0A : $0) }
            let expected = bytes.filter { $0 == 0x0A }.count
            #expect(bytes.withUnsafeBufferPointer { LineReader.countNewlines($0) } == expected, "\(count) bytes")
        }
    }

    @Test func fingerprintsAvoidCommonBytes() {
        // "$BP" beats any window of lowercase letters and spaces; " memory" picks "mem", skipping the space.
        #expect(LiteralSet.rarestWindow(Array("class count".utf8)) == 0)
        #expect(LiteralSet.rarestWindow(Array(" memory".utf8)) == 1)
        #expect(LiteralSet.rarestWindow(Array("on $BP here".utf8)) == 3)
    }
}

