/// Opens an input and sniffs its first bytes: gzip is recognised by its magic (1F 8B), never by its name.
public enum InputStream: ByteSource {
    case plain(PrefixedSource<FileDescriptorSource>)
    case gzip(GzipSource<PrefixedSource<FileDescriptorSource>>)

    public enum Compression: String, Sendable { case none, gzip }

    /// `gzipBombFloor`: see `GzipSource`.
    public static func open(_ path: String, gzipBombFloor: Int64 = GzipSource<FileDescriptorSource>.defaultBombFloor) throws(InputError) -> InputStream {
        var file = try FileDescriptorSource.open(path)
        var magic: [UInt8] = []
        let probe = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
        defer { probe.deallocate() }
        do {
            while magic.count < 2 {
                let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: probe[0..<(2 - magic.count)]))
                if n == 0 { break }
                magic.append(contentsOf: probe[0..<n])
            }
        } catch {
            file.close()
            throw error
        }
        let prefixed = PrefixedSource(prefix: magic, base: file)
        if magic == [0x1F, 0x8B] { return .gzip(GzipSource(base: prefixed, name: file.name, bombFloor: gzipBombFloor)) }
        return .plain(prefixed)
    }

    public var compression: Compression {
        switch self {
        case .plain: return .none
        case .gzip: return .gzip
        }
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        switch self {
        case .plain(var source):
            defer { self = .plain(source) }
            return try source.read(into: buffer)
        case .gzip(var source):
            defer { self = .gzip(source) }
            return try source.read(into: buffer)
        }
    }

    /// Releases the descriptor and any decompressor state.
    public mutating func close() {
        switch self {
        case .plain(let source): source.base.close()
        case .gzip(var source):
            source.release()
            source.base.base.close()
        }
    }
}
