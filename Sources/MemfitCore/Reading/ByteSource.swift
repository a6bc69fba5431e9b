import CZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Stage 1, read bytes: a stream of chunks from a file, stdin or a decompressor. Constant memory.
public protocol ByteSource {
    /// Fills `buffer` with up to its capacity; returns the number of bytes, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// An error reading one input. It names the input; `offset` is the byte where reading stopped.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case notFound = "no such file"
        case permissionDenied = "permission denied"
        case isDirectory = "is a directory"
        case readFailed = "read failed"
        case corruptGzip = "corrupt gzip data"
        case truncatedGzip = "truncated gzip data"
        case invalidFormat = "invalid content"
        case gzipBomb = "gzip expands too far"
    }
    public var input: String
    public var reason: Reason
    public var detail: String?
    public var offset: Int64?

    public var description: String {
        var text = "\(input): \(reason.rawValue)"
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if let offset { text += " at byte \(offset)" }
        return text
    }
}

/// Reads a file descriptor with read(2).
public struct FileDescriptorSource: ByteSource {
    let fd: Int32
    let name: String
    let closeWhenDone: Bool
    private(set) var offset: Int64 = 0

    /// Opens `path`; "-" is stdin.
    public static func open(_ path: String) throws(InputError) -> FileDescriptorSource {
        if path == "-" { return FileDescriptorSource(fd: 0, name: "<stdin>", closeWhenDone: false) }
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(input: path, reason: .isDirectory)
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            let reason: InputError.Reason =
                code == ENOENT ? .notFound : code == EACCES || code == EPERM ? .permissionDenied : .readFailed
            throw InputError(input: path, reason: reason, detail: reason == .readFailed ? String(cString: strerror(code)) : nil)
        }
        return FileDescriptorSource(fd: fd, name: path, closeWhenDone: true)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { offset += Int64(n); return n }
            if errno == EINTR { continue }
            throw InputError(input: name, reason: .readFailed, detail: String(cString: strerror(errno)), offset: offset)
        }
    }

    public func close() { if closeWhenDone { _ = Glibc.close(fd) } }
}

/// Replays bytes already read (the sniffed magic) before the rest of the stream.
public struct PrefixedSource<Base: ByteSource>: ByteSource {
    var prefix: [UInt8]
    var base: Base
    /// An error the base already raised while the prefix was read: raised after the prefix, instead of reading on.
    var pendingError: InputError?

    init(prefix: [UInt8], base: Base, pendingError: InputError? = nil) {
        self.prefix = prefix
        self.base = base
        self.pendingError = pendingError
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if !prefix.isEmpty {
            let n = min(prefix.count, buffer.count)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            prefix.removeFirst(n)
            return n
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        return try base.read(into: buffer)
    }
}

/// Streams gzip with zlib, member after member (S3 exports and Firehose objects are multi-member).
public struct GzipSource<Base: ByteSource>: ByteSource {
    var base: Base
    let name: String
    // zlib keeps a pointer back to its z_stream, so it must not move: it lives on the heap.
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    private var started = false
    private var compressedOffset: Int64 = 0
    private var inMember = false
    private var pendingError: InputError?
    private var membersDone = 0
    private var memberOutput = 0
    private var totalOutput: Int64 = 0
    /// A gzip bomb (a few KB that inflate to terabytes) is stopped once the output passes `bombFloor` bytes and
    /// is more than `maxExpansion` times what was read. Logs compress 10-50 times (a log of one line repeated can
    /// reach 350, hence the high floor); zlib's limit is about 1032. Memory never depends on it: a bomb under
    /// the ratio is read to its end, in constant memory, at about 2 GB/s.
    let maxExpansion: Int64
    let bombFloor: Int64
    public static var defaultMaxExpansion: Int64 { 250 }
    public static var defaultBombFloor: Int64 { 1 << 30 }

    public init(base: Base, name: String, maxExpansion: Int64 = defaultMaxExpansion, bombFloor: Int64 = defaultBombFloor) {
        self.base = base
        self.name = name
        self.maxExpansion = maxExpansion
        self.bombFloor = bombFloor
        self.input = .allocate(byteCount: 64 * 1024, alignment: 1)
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
    }

    /// Frees zlib state; call once when done.
    public mutating func release() {
        if started { inflateEnd(stream) }
        input.deallocate()
        stream.deallocate()
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let error = pendingError { pendingError = nil; finished = true; throw error }
        if finished { return 0 }
        if !started {
            // 15 + 32: zlib detects the gzip header itself.
            guard memfit_inflate_init(stream, 15 + 32) == Z_OK else {
                throw InputError(input: name, reason: .corruptGzip, detail: "zlib init failed")
            }
            started = true
            inMember = true
        }
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let n = try base.read(into: input)
                if n == 0 {
                    inputEnded = true
                } else {
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(n)
                    compressedOffset += Int64(n)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                if inMember {
                    pendingError = InputError(input: name, reason: .truncatedGzip, offset: compressedOffset)
                } else {
                    finished = true
                }
                break
            }
            let before = stream.pointee.avail_out
            let rc = inflate(stream, Z_NO_FLUSH)
            memberOutput += Int(before - stream.pointee.avail_out)
            if rc == Z_OK || (rc == Z_BUF_ERROR && stream.pointee.avail_in == 0) { continue }
            if rc == Z_STREAM_END {
                inMember = false
                // Another member may follow. Bytes after the last member that are not gzip are ignored.
                guard stream.pointee.avail_in > 0 || !inputEnded else { finished = true; break }
                if stream.pointee.avail_in == 0 { continue }
                // Another member starts with 1F 8B; anything else is trailing garbage, ignored as gzip does.
                let next = stream.pointee.next_in!
                guard next[0] == 0x1F, stream.pointee.avail_in < 2 || next[1] == 0x8B else { finished = true; break }
                inflateReset(stream)
                inMember = true
                memberOutput = 0
                membersDone += 1
                continue
            }
            if membersDone > 0 && memberOutput == 0 && buffer.count - Int(stream.pointee.avail_out) == 0 {
                // A broken header after complete members is trailing garbage, as gzip itself treats it.
                finished = true
                break
            }
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            pendingError = InputError(
                input: name, reason: .corruptGzip, detail: message, offset: compressedOffset - Int64(stream.pointee.avail_in))
            break
        }
        let produced = buffer.count - Int(stream.pointee.avail_out)
        totalOutput += Int64(produced)
        let consumed = max(1, compressedOffset - Int64(stream.pointee.avail_in))
        if pendingError == nil, !finished, totalOutput > bombFloor, totalOutput / consumed > maxExpansion {
            // What was inflated so far is still analysed; the rest of the input is not read.
            pendingError = InputError(
                input: name, reason: .gzipBomb,
                detail: "\(consumed) bytes inflated to \(totalOutput), more than \(maxExpansion) times: stopped as a likely gzip bomb",
                offset: consumed)
        }
        if produced == 0, let error = pendingError { pendingError = nil; finished = true; throw error }
        return produced
    }
}

/// Bytes already in memory, served in chunks: for tests and for text handed over by another stage.
public struct BytesSource: ByteSource {
    var bytes: [UInt8]
    var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}
