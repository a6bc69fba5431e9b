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
            input.append(contentsOf: chunk[0..<n])
            var i = 0
            while i + 1 < input.count {
                let unit = bigEndian ? UInt16(input[i]) << 8 | UInt16(input[i + 1]) : UInt16(input[i + 1]) << 8 | UInt16(input[i])
                i += 2
                transcode(unit)
            }
            input.removeFirst(i)
        }
        let n = min(buffer.count, output.count - outputPosition)
        output.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + outputPosition, byteCount: n) }
        outputPosition += n
        return n
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
