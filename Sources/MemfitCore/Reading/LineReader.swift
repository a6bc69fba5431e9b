#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Stage 1 continued: splits a byte stream into lines in constant memory.
/// LF and CRLF end a line; a last line without a newline still counts; NUL bytes and invalid UTF-8 pass through
/// untouched (the cleaner deals with them). A line longer than `maxLineBytes` keeps its first `maxLineBytes` bytes.
public struct LineReader {
    public static let defaultMaxLineBytes = 1 << 20
    public static let chunkBytes = 256 * 1024

    public let maxLineBytes: Int

    public struct Stats: Sendable, Equatable {
        public var bytes: Int64 = 0
        public var lines: Int = 0
        public var cappedLines: Int = 0
    }

    public init(maxLineBytes: Int = LineReader.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` with each line (without its terminator) and its 1-based number.
    /// The buffer is only valid during the call.
    public func forEachLine<Source: ByteSource>(
        in source: inout Source,
        stats: inout Stats,
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ capped: Bool) -> Void
    ) throws(InputError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: LineReader.chunkBytes, alignment: 1)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        pending.reserveCapacity(4096)
        var pendingCapped = false

        func emit(_ line: UnsafeBufferPointer<UInt8>, capped: Bool) {
            var line = line
            if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            stats.lines += 1
            if capped { stats.cappedLines += 1 }
            body(line, stats.lines, capped)
        }

        func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            let room = maxLineBytes - pending.count
            if bytes.count <= room {
                pending.append(contentsOf: bytes)
            } else {
                if room > 0 { pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes.prefix(room))) }
                pendingCapped = true
            }
        }

        while true {
            let n = try source.read(into: chunk)
            if n == 0 { break }
            stats.bytes += Int64(n)
            let bytes = UnsafeBufferPointer(start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            var start = 0
            while start < n {
                guard let newline = LineReader.indexOfNewline(bytes, from: start) else {
                    append(UnsafeBufferPointer(rebasing: bytes[start..<n]))
                    break
                }
                let piece = UnsafeBufferPointer(rebasing: bytes[start..<newline])
                if pending.isEmpty && !pendingCapped && piece.count <= maxLineBytes {
                    emit(piece, capped: false)
                } else {
                    append(piece)
                    pending.withUnsafeBufferPointer { emit($0, capped: pendingCapped) }
                    pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
                    pendingCapped = false
                }
                start = newline + 1
            }
        }
        if !pending.isEmpty || pendingCapped {
            pending.withUnsafeBufferPointer { emit($0, capped: pendingCapped) }
        }
    }

    @inline(__always)
    static func indexOfNewline(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
