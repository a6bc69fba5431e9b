/// An incremental JSON tokenizer over a byte stream: constant memory whatever the document size, several
/// top-level values one after another (`}{`, `}\n{`), depth and string-size caps. Errors name the byte offset.
public struct JSONTokenizer<Source: ByteSource> {
    public enum Token: Equatable {
        case objectStart, objectEnd, arrayStart, arrayEnd
        case key(String)
        case string(String)
        /// The number as written; memfit only ever needs it as text or a whole number.
        case number(String)
        case bool(Bool)
        case null
    }

    public static var maxDepth: Int { 512 }
    /// Strings longer than this keep their first and last half (a launch line at either end is kept).
    public static var maxStringBytes: Int { 1 << 20 }

    private var source: Source
    private let buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var count = 0
    private var consumedBefore: Int64 = 0
    private var atEnd = false

    private enum Container { case object, array }
    /// What the grammar allows next.
    private enum Expect { case value, valueOrEnd, key, keyOrEnd, colon, commaOrEnd }
    private var stack: [Container] = []
    private var expect = Expect.value

    /// Bytes of input consumed so far (for error messages and stats).
    public var offset: Int64 { consumedBefore + Int64(position) }
    public private(set) var stringsCapped = 0
    /// The physical line of the input the tokenizer is on (newlines only occur between tokens in valid JSON).
    public private(set) var line = 1

    public init(source: Source, bufferBytes: Int = 64 * 1024) {
        self.source = source
        self.buffer = .allocate(byteCount: max(16, bufferBytes), alignment: 1)
    }

    /// Where the token being read began (error recovery resumes there).
    private var tokenStart: Int64 = 0

    /// After an error: the unread input from where the failing token began (or as near it as the read buffer still
    /// holds), its byte offset and line number, and the source to read on from. Starting at the token, not its line,
    /// keeps values already decoded on that line from being matched twice.
    public func remainder() -> (bytes: [UInt8], offset: Int64, line: Int, source: Source) {
        let start = tokenStart >= consumedBefore ? min(position, Int(tokenStart - consumedBefore)) : 0
        let end = min(max(position, start), count)
        // `line` counted newlines up to `position`; the resume point may lie before some of them.
        var newlines = 0
        for i in start..<end where buffer[i] == 0x0A { newlines += 1 }
        let bytes = Array(buffer[start..<max(start, count)])
        return (bytes, consumedBefore + Int64(start), max(1, line - newlines), source)
    }

    /// Frees the read buffer; call once when done.
    public func release() { buffer.deallocate() }

    public var depth: Int { stack.count }

    /// The next token, or nil at the end of input. Whitespace between top-level values is skipped.
    public mutating func next() throws(JSONStreamError) -> Token? {
        while true {
            guard let byte = try peekSkippingWhitespace() else {
                tokenStart = offset
                if !stack.isEmpty { throw fail("unexpected end of input inside a value") }
                return nil
            }
            tokenStart = offset
            switch (byte, expect) {
            case (UInt8(ascii: "{"), .value), (UInt8(ascii: "{"), .valueOrEnd),
                 (UInt8(ascii: "["), .value), (UInt8(ascii: "["), .valueOrEnd):
                advance()
                guard stack.count < JSONTokenizer.maxDepth else { throw fail("nested deeper than \(JSONTokenizer.maxDepth) levels") }
                let isObject = byte == UInt8(ascii: "{")
                stack.append(isObject ? .object : .array)
                expect = isObject ? .keyOrEnd : .valueOrEnd
                return isObject ? .objectStart : .arrayStart
            // "}" may close an object after "{" or a member; "]" an array after "[" or an element.
            case (UInt8(ascii: "}"), .keyOrEnd), (UInt8(ascii: "]"), .valueOrEnd),
                 (UInt8(ascii: "}"), .commaOrEnd) where stack.last == .object,
                 (UInt8(ascii: "]"), .commaOrEnd) where stack.last == .array:
                advance()
                stack.removeLast()
                valueDone()
                return byte == UInt8(ascii: "}") ? .objectEnd : .arrayEnd
            case (UInt8(ascii: ","), .commaOrEnd):
                advance()
                expect = stack.last == .object ? .key : .value
            case (UInt8(ascii: ":"), .colon):
                advance()
                expect = .value
            case (UInt8(ascii: "\""), .key), (UInt8(ascii: "\""), .keyOrEnd):
                advance()
                let key = try readString()
                expect = .colon
                return .key(key)
            case (UInt8(ascii: "\""), .value), (UInt8(ascii: "\""), .valueOrEnd):
                advance()
                let value = try readString()
                valueDone()
                return .string(value)
            case (UInt8(ascii: "t"), .value), (UInt8(ascii: "t"), .valueOrEnd), (UInt8(ascii: "f"), .value),
                 (UInt8(ascii: "f"), .valueOrEnd), (UInt8(ascii: "n"), .value), (UInt8(ascii: "n"), .valueOrEnd):
                let word = try readWord()
                valueDone()
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default: throw fail("unexpected word '\(word.prefix(20))'")
                }
            case (UInt8(ascii: "-"), .value), (UInt8(ascii: "-"), .valueOrEnd),
                 (UInt8(ascii: "0")...UInt8(ascii: "9"), .value), (UInt8(ascii: "0")...UInt8(ascii: "9"), .valueOrEnd):
                let number = try readWord()
                valueDone()
                return .number(number)
            default:
                let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
                throw fail("unexpected \(shown)")
            }
        }
    }

    private func fail(_ message: String) -> JSONStreamError { .syntax(JSONSyntaxError(offset: offset, message: message)) }

    /// After a complete value: inside a container a ',' or the end may follow; at the top, another document.
    private mutating func valueDone() { expect = stack.isEmpty ? .value : .commaOrEnd }

    // MARK: bytes

    private mutating func fill() throws(JSONStreamError) -> Bool {
        if position < count { return true }
        if atEnd { return false }
        consumedBefore += Int64(count)
        position = 0
        do {
            count = try source.read(into: buffer)
        } catch {
            count = 0
            throw .input(error)
        }
        if count == 0 { atEnd = true }
        return count > 0
    }

    private mutating func peek() throws(JSONStreamError) -> UInt8? {
        guard try fill() else { return nil }
        return buffer[position]
    }

    private mutating func advance() { position += 1 }

    private mutating func peekSkippingWhitespace() throws(JSONStreamError) -> UInt8? {
        while let byte = try peek() {
            switch byte {
            case 0x0A:
                line += 1
                advance()
            case 0x20, 0x09, 0x0D: advance()
            case 0xEF where stack.isEmpty:
                // A UTF-8 BOM between documents (concatenated exports).
                advance()
                if try peek() == 0xBB { advance() }
                if try peek() == 0xBF { advance() }
            default: return byte
            }
        }
        return nil
    }

    private mutating func readWord() throws(JSONStreamError) -> String {
        var bytes: [UInt8] = []
        while let byte = try peek() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                 UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "E"):
                guard bytes.count < 400 else { throw fail("a number or word too long") }
                bytes.append(byte)
                advance()
            default:
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a string body after the opening quote, decoding escapes; invalid UTF-8 and lone surrogates become U+FFFD.
    private mutating func readString() throws(JSONStreamError) -> String {
        var out = CappedBytes(limit: JSONTokenizer.maxStringBytes)
        var pendingHigh: UInt32?
        func flushHigh(_ out: inout CappedBytes) {
            if pendingHigh != nil { out.appendScalar(0xFFFD); pendingHigh = nil }
        }
        while true {
            guard try fill() else { throw fail("unterminated string") }
            // Fast path: copy a run of plain bytes at once.
            var run = position
            while run < count {
                let b = buffer[run]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { break }
                run += 1
            }
            if run > position {
                flushHigh(&out)
                out.append(UnsafeRawBufferPointer(rebasing: buffer[position..<run]))
                position = run
                continue
            }
            let byte = buffer[position]
            advance()
            if byte == UInt8(ascii: "\"") {
                flushHigh(&out)
                if out.capped { stringsCapped += 1 }
                return out.string()
            }
            // An escape.
            guard let e = try peek() else { throw fail("unterminated escape") }
            advance()
            switch e {
            case UInt8(ascii: "u"):
                var value: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = try peek(), let digit = hexValue(h) else {
                        throw fail("bad \\u escape")
                    }
                    advance()
                    value = value << 4 | digit
                }
                if (0xD800...0xDBFF).contains(value) {
                    flushHigh(&out)
                    pendingHigh = value
                } else if (0xDC00...0xDFFF).contains(value) {
                    if let high = pendingHigh {
                        out.appendScalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00))
                        pendingHigh = nil
                    } else {
                        out.appendScalar(0xFFFD)
                    }
                } else {
                    flushHigh(&out)
                    out.appendScalar(value)
                }
            default:
                flushHigh(&out)
                let mapped: UInt8
                switch e {
                case UInt8(ascii: "n"): mapped = 0x0A
                case UInt8(ascii: "t"): mapped = 0x09
                case UInt8(ascii: "r"): mapped = 0x0D
                case UInt8(ascii: "b"): mapped = 0x08
                case UInt8(ascii: "f"): mapped = 0x0C
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): mapped = e
                default: throw fail("bad escape '\\\(Character(Unicode.Scalar(e)))'")
                }
                out.append(mapped)
            }
        }
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - 55)
        default: return nil
        }
    }
}

public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    public var offset: Int64
    public var message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

public enum JSONStreamError: Error, Equatable {
    case syntax(JSONSyntaxError)
    case input(InputError)
}

/// Bytes that keep their first and last `limit / 2` once they grow past `limit`.
struct CappedBytes {
    let limit: Int
    var head: [UInt8] = []
    var tail: [UInt8] = []
    var capped = false

    init(limit: Int) { self.limit = limit }

    mutating func append(_ byte: UInt8) {
        if !capped && head.count < limit { head.append(byte); return }
        overflow(CollectionOfOne(byte))
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if !capped && head.count + bytes.count <= limit { head.append(contentsOf: bytes); return }
        overflow(bytes)
    }

    private mutating func overflow<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if !capped {
            capped = true
            let half = limit / 2
            if head.count > half {
                tail.append(contentsOf: head[half...])
                head.removeSubrange(half...)
            }
        }
        tail.append(contentsOf: bytes)
        if tail.count > limit { tail.removeFirst(tail.count - limit / 2) }
    }

    mutating func appendScalar(_ value: UInt32) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        for unit in String(Character(scalar)).utf8 { append(unit) }
    }

    func string() -> String {
        guard capped else { return String(decoding: head, as: UTF8.self) }
        // The two halves become two lines, so no pattern can match across the gap.
        return String(decoding: head, as: UTF8.self) + "\n" + String(decoding: tail.suffix(limit / 2), as: UTF8.self)
    }
}
