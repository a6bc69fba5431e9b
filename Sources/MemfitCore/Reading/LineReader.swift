#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import CStringSearch

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

    /// What the reader hands over: whole blocks of lines straight from the read buffer (no copy), or single
    /// lines it had to assemble across reads or cap.
    public enum Piece {
        /// Complete lines, each ending in "\n" (a CR before it is still there); the first is line `firstLine`.
        case block(UnsafeBufferPointer<UInt8>, firstLine: Int)
        /// One line without its terminator. A capped line comes as two pieces (head, tail) with the same number.
        case line(UnsafeBufferPointer<UInt8>, number: Int, capped: Bool)
    }

    /// Calls `body` with the input in pieces. Buffers are only valid during the call.
    public func forEachPiece<Source: ByteSource>(
        in source: inout Source,
        stats: inout Stats,
        _ body: (Piece) -> Void
    ) throws(InputError) {
        // A block can then never hold a line longer than the cap.
        let chunkSize = min(LineReader.chunkBytes, maxLineBytes)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        let half = maxLineBytes / 2
        var pending: [UInt8] = []  // the partial line so far, or its head once capped
        var tail: [UInt8] = []  // once capped: the most recent bytes, trimmed to `half` from time to time
        var capped = false
        var partial = false

        func emit(_ line: UnsafeBufferPointer<UInt8>) {
            body(.line(LineReader.droppingCR(line), number: stats.lines, capped: capped))
        }

        func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            partial = true
            var bytes = bytes[...]
            if !capped {
                if pending.count + bytes.count <= maxLineBytes {
                    pending.append(contentsOf: bytes)
                    return
                }
                // A lone CR ends a line too (old Mac files, progress output): rather than cap, hand over everything
                // up to the last CR as a piece of this line (the processor splits it at each CR) and keep the rest.
                // The pending bytes then stay below the cap plus one chunk.
                pending.append(contentsOf: bytes)
                bytes = bytes[bytes.endIndex...]
                if let cr = pending.lastIndex(of: 0x0D) {
                    pending.withUnsafeBufferPointer {
                        body(.line(UnsafeBufferPointer(rebasing: $0[..<cr]), number: stats.lines + 1, capped: false))
                    }
                    pending.removeSubrange(...cr)
                    if pending.count <= maxLineBytes { return }
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
            if capped { stats.cappedLines += 1 }
            pending.withUnsafeBufferPointer { emit($0) }
            if capped { tail.withUnsafeBufferPointer { emit(UnsafeBufferPointer(rebasing: $0.suffix(half))) } }
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
            tail.removeAll()
            capped = false
            partial = false
        }

        while true {
            let n: Int
            do {
                n = try source.read(into: chunk)
            } catch {
                // The input broke off: the line it was in the middle of still counts.
                if partial { finishLine() }
                throw error
            }
            if n == 0 { break }
            stats.bytes += Int64(n)
            let bytes = UnsafeBufferPointer(start: chunk.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            var start = 0
            if partial {
                guard let newline = LineReader.indexOfNewline(bytes, from: 0) else {
                    append(bytes)
                    continue
                }
                append(UnsafeBufferPointer(rebasing: bytes[..<newline]))
                finishLine()
                start = newline + 1
            }
            let rest = UnsafeBufferPointer(rebasing: bytes[start...])
            if let base = rest.baseAddress, !rest.isEmpty, let last = memfit_memrchr(base, 0x0A, rest.count) {
                let end = base.distance(to: last.assumingMemoryBound(to: UInt8.self)) + 1
                let block = UnsafeBufferPointer(rebasing: rest[..<end])
                let first = stats.lines + 1
                stats.lines += LineReader.countNewlines(block)
                body(.block(block, firstLine: first))
                start += end
            }
            if start < n { append(UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        if partial { finishLine() }
    }

    /// Calls `body` with each line (without its terminator) and its 1-based number; a capped line comes as
    /// two calls (head, then tail) with `capped` true. The buffer is only valid during the call.
    public func forEachLine<Source: ByteSource>(
        in source: inout Source,
        stats: inout Stats,
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ capped: Bool) -> Void
    ) throws(InputError) {
        try forEachPiece(in: &source, stats: &stats) { piece in
            switch piece {
            case .line(let line, let number, let capped):
                body(line, number, capped)
            case .block(let block, let first):
                var number = first
                LineReader.forEachLine(in: block) { line in
                    body(line, number, false)
                    number += 1
                }
            }
        }
    }

    /// Splits a block of complete lines; CRs before the newlines are dropped.
    public static func forEachLine(in block: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while let newline = indexOfNewline(block, from: start) {
            body(droppingCR(UnsafeBufferPointer(rebasing: block[start..<newline])))
            start = newline + 1
        }
    }

    /// The line of `block` starting at `start`, without its newline and CR.
    public static func line(in block: UnsafeBufferPointer<UInt8>, startingAt start: Int) -> UnsafeBufferPointer<UInt8> {
        let end = indexOfNewline(block, from: start) ?? block.count
        return droppingCR(UnsafeBufferPointer(rebasing: block[start..<end]))
    }

    static func droppingCR(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if let last = line.last, last == 0x0D { return UnsafeBufferPointer(rebasing: line.dropLast()) }
        return line
    }

    /// Counts "\n" bytes (32 at a time where the CPU allows): every block needs it for line numbers.
    public static func countNewlines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return memfit_count_byte(base, bytes.count, 0x0A)
    }

    @inline(__always)
    static func indexOfNewline(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
