/// Text encodings seen in exported logs. UTF-16 comes from Windows PowerShell 5.1's `>`; everything else is UTF-8
/// (a BOM is dropped). Detection looks only at the first bytes.
public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"

    public static func detect(_ prefix: [UInt8]) -> TextEncoding {
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
        if prefix.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if prefix.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        // No BOM, but ASCII text in UTF-16: a NUL in every other byte.
        let sample = prefix.prefix(512)
        if sample.count >= 8 {
            let odd = stride(from: 1, to: sample.count, by: 2).filter { sample[sample.startIndex + $0] == 0 }.count
            let even = stride(from: 0, to: sample.count, by: 2).filter { sample[sample.startIndex + $0] == 0 }.count
            let half = sample.count / 2
            if odd > half * 9 / 10 && even == 0 { return .utf16LE }
            if even > half * 9 / 10 && odd == 0 { return .utf16BE }
        }
        return .utf8
    }

    /// Bytes of BOM at the start of `prefix` to skip (none when UTF-16 was recognised without one).
    func bomLength(in prefix: [UInt8]) -> Int {
        switch self {
        case .utf8: return 0
        case .utf8BOM: return 3
        case .utf16LE: return prefix.starts(with: [0xFF, 0xFE]) ? 2 : 0
        case .utf16BE: return prefix.starts(with: [0xFE, 0xFF]) ? 2 : 0
        }
    }
}

/// Transcodes UTF-16 to UTF-8 as it streams; unpaired surrogates become U+FFFD.
public struct UTF16Source<Base: ByteSource>: ByteSource {
    var base: Base
    let bigEndian: Bool
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var outputPosition = 0
    private var pendingHigh: UInt16?
    private var ended = false
    /// Bytes of the base consumed before `input`'s first byte.
    private var consumed: Int64 = 0
    /// Once UTF-8 text was found appended to the UTF-16: the rest is passed through as it is.
    private var passthrough = false
    /// Where the UTF-16 went wrong and what was done: ("a stray byte…", offset in the base). At most a few.
    private(set) var resyncs: [(what: String, offset: Int64)] = []

    init(base: Base, bigEndian: Bool) {
        self.base = base
        self.bigEndian = bigEndian
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while outputPosition >= output.count {
            if ended { return 0 }
            output.removeAll(keepingCapacity: true)
            outputPosition = 0
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer { chunk.deallocate() }
            let n = try base.read(into: chunk)
            if n == 0 {
                ended = true
                if pendingHigh != nil || input.count == 1 { output.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
                pendingHigh = nil
                input.removeAll()
                continue
            }
            if passthrough {
                output.append(contentsOf: chunk[0..<n])
                continue
            }
            input.append(contentsOf: chunk[0..<n])
            var i = 0
            while i + 1 < input.count {
                // ASCII in UTF-16 has a zero byte in every unit; a unit that does not is checked for the two ways a
                // file goes wrong: a stray byte that misaligns the rest, or UTF-8 appended.
                if input[bigEndian ? i : i + 1] != 0 || input[bigEndian ? i + 1 : i] == 0, let fix = resync(at: i) {
                    if resyncs.count < 8 { resyncs.append((fix, consumed + Int64(i))) }
                    if passthrough {
                        if pendingHigh != nil { emit(0xFFFD); pendingHigh = nil }
                        output.append(contentsOf: input[i...])
                        i = input.count
                        break
                    }
                    i += 1  // drop the stray byte
                    continue
                }
                let unit = bigEndian ? UInt16(input[i]) << 8 | UInt16(input[i + 1]) : UInt16(input[i + 1]) << 8 | UInt16(input[i])
                i += 2
                transcode(unit)
            }
            consumed += Int64(i)
            input.removeFirst(i)
        }
        let n = min(buffer.count, output.count - outputPosition)
        output.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + outputPosition, byteCount: n) }
        outputPosition += n
        return n
    }

    /// Looks at the 16 units from `i`: mostly ASCII one byte off (a stray byte misaligned the text) means drop a
    /// byte; mostly pairs of ASCII bytes with no zero (UTF-8 appended) means pass the rest through. Nil: neither.
    private mutating func resync(at i: Int) -> String? {
        let units = 16
        guard i + 2 * units + 1 <= input.count else { return nil }
        func ascii(_ b: UInt8) -> Bool { b == 0x09 || b == 0x0A || b == 0x0D || (0x20...0x7E).contains(b) }
        var shifted = 0
        var pairs = 0
        for u in 0..<units {
            let a = input[i + 2 * u], b = input[i + 2 * u + 1]
            let (text, zero) = bigEndian ? (b, a) : (a, b)
            // One byte off: the zero comes first, the ASCII byte second.
            if text == 0 && ascii(zero) { shifted += 1 }
            if ascii(a) && ascii(b) { pairs += 1 }
        }
        if shifted >= 12 {
            return "a stray byte misaligned the UTF-16 text; one byte was skipped"
        }
        if pairs >= 15 {
            passthrough = true
            return "the UTF-16 text is followed by UTF-8 (or other 8-bit) text, read as UTF-8 from here"
        }
        return nil
    }

    private mutating func transcode(_ unit: UInt16) {
        if (0xD800...0xDBFF).contains(unit) {
            if pendingHigh != nil { emit(0xFFFD) }
            pendingHigh = unit
            return
        }
        if (0xDC00...0xDFFF).contains(unit) {
            if let high = pendingHigh {
                emit(0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00))
                pendingHigh = nil
            } else {
                emit(0xFFFD)
            }
            return
        }
        if pendingHigh != nil {
            emit(0xFFFD)
            pendingHigh = nil
        }
        emit(UInt32(unit))
    }

    private mutating func emit(_ value: UInt32) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        output.append(contentsOf: String(Character(scalar)).utf8)
    }
}
