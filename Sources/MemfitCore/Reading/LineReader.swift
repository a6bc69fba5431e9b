#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Stage 1 continued: splits a byte stream into lines in constant memory.
/// LF and CRLF end a line; a last line without a newline still counts; NUL bytes and invalid UTF-8 pass through
/// untouched (the cleaner deals with them). A line longer than `maxLineBytes` is capped: its first and last
/// `maxLineBytes / 2` bytes are handed over as two pieces with the same line number, so a launch line at the end
/// of a huge line is still found, and memory never grows past about twice the cap.
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
        self.maxLineBytes = max(2, maxLineBytes)
    }

    /// Calls `body` with each line (without its terminator) and its 1-based number; a capped line comes as
    /// two calls (head, then tail) with `capped` true. The buffer is only valid during the call.
    public func forEachLine<Source: ByteSource>(
        in source: inout Source,
        stats: inout Stats,
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ capped: Bool) -> Void
    ) throws(InputError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: LineReader.chunkBytes, alignment: 1)
        defer { chunk.deallocate() }
        let half = maxLineBytes / 2
        var pending: [UInt8] = []  // the line so far, or its head once capped
        var tail: [UInt8] = []  // once capped: the most recent bytes, trimmed to `half` from time to time
        var capped = false

        func emit(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
            var line = line
            if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            body(line, number, capped)
        }

        func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            var bytes = bytes[...]
            if !capped {
                if pending.count + bytes.count <= maxLineBytes {
                    pending.append(contentsOf: bytes)
                    return
                }
                // Over the cap: the head keeps `half` bytes, everything after goes to the tail.
                capped = true
                if pending.count > half {
                    tail.append(contentsOf: pending[half...])
                    pending.removeSubrange(half...)
                } else {
                    let take = half - pending.count
                    pending.append(contentsOf: bytes.prefix(take))
                    bytes = bytes.dropFirst(take)
                }
            }
            tail.append(contentsOf: bytes)
            if tail.count > 2 * half { tail.removeFirst(tail.count - half) }
        }

        func finishLine() {
            stats.lines += 1
            if capped {
                stats.cappedLines += 1
                pending.withUnsafeBufferPointer { emit($0, number: stats.lines) }
                tail.withUnsafeBufferPointer { emit(UnsafeBufferPointer(rebasing: $0.suffix(half)), number: stats.lines) }
            } else {
                pending.withUnsafeBufferPointer { emit($0, number: stats.lines) }
            }
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
            tail.removeAll()
            capped = false
        }

        var sawBytesSinceNewline = false
        while true {
            let n = try source.read(into: chunk)
            if n == 0 { break }
            stats.bytes += Int64(n)
            let bytes = UnsafeBufferPointer(start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            var start = 0
            while start < n {
                guard let newline = LineReader.indexOfNewline(bytes, from: start) else {
                    append(UnsafeBufferPointer(rebasing: bytes[start..<n]))
                    sawBytesSinceNewline = true
                    break
                }
                let piece = UnsafeBufferPointer(rebasing: bytes[start..<newline])
                if pending.isEmpty && !capped && piece.count <= maxLineBytes {
                    // The common case: the whole line is in the chunk; no copy.
                    stats.lines += 1
                    emit(piece, number: stats.lines)
                } else {
                    append(piece)
                    finishLine()
                }
                sawBytesSinceNewline = false
                start = newline + 1
            }
        }
        if sawBytesSinceNewline { finishLine() }
    }

    @inline(__always)
    static func indexOfNewline(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
