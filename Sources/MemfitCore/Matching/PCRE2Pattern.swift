import CPCRE2

/// One PCRE2 pattern, compiled once (with JIT when available) and shared read-only by every matcher.
public final class PCRE2Pattern: @unchecked Sendable {
    // Safe to share: PCRE2 compiled code is immutable after pcre2_jit_compile.
    let code: OpaquePointer
    public let source: String
    /// Named groups and their numbers, read from the compiled pattern.
    public let groupNumbers: [String: Int]

    public struct CompileError: Error, Sendable, CustomStringConvertible {
        public let pattern: String
        public let offset: Int
        public let message: String
        public var description: String { "pattern does not compile at offset \(offset): \(message)" }
    }

    public init(_ pattern: String, caseless: Bool = false) throws(CompileError) {
        var options = UInt32(PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NO_AUTO_CAPTURE)
        if caseless { options |= UInt32(PCRE2_CASELESS) }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled = pattern.withCString { ptr in
            ptr.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) { bytes in
                pcre2_compile_8(bytes, pattern.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw CompileError(pattern: pattern, offset: errorOffset, message: PCRE2Pattern.message(for: errorCode))
        }
        // JIT is an optimisation only; the interpreter is used when JIT is not available.
        _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))
        self.code = compiled
        self.source = pattern
        self.groupNumbers = PCRE2Pattern.readNameTable(compiled)
    }

    deinit { pcre2_code_free_8(code) }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(errorCode)"
    }

    private static func readNameTable(_ code: OpaquePointer) -> [String: Int] {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard let table, count > 0 else { return [:] }
        var names: [String: Int] = [:]
        for i in 0..<Int(count) {
            let entry = table + i * Int(entrySize)
            let number = Int(entry[0]) << 8 | Int(entry[1])
            var end = 2
            while end < Int(entrySize) && entry[end] != 0 { end += 1 }
            names[String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self)] = number
        }
        return names
    }
}

/// Per-thread match state: match data, limits and a JIT stack, allocated once and reused for every line.
/// Not thread-safe; each scanning thread owns one.
public final class PCRE2Matcher {
    /// Backtracking limits so that no line can make a pattern run away (PCRE2 defaults are 10,000,000).
    public static let matchLimit: UInt32 = 200_000
    public static let depthLimit: UInt32 = 2_000

    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?

    public init() {
        // Enough capture pairs for every catalogue pattern.
        matchData = pcre2_match_data_create_8(32, nil)!
        context = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(context, PCRE2Matcher.matchLimit)
        pcre2_set_depth_limit_8(context, PCRE2Matcher.depthLimit)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    public enum Result {
        case noMatch
        case match(PCRE2Match)
        /// The pattern hit the match or depth limit on this subject.
        case limitExceeded
    }

    /// Matches `pattern` against `subject` (explicit length; NUL bytes and invalid UTF-8 are fine).
    public func match(_ pattern: PCRE2Pattern, in subject: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Result {
        guard let base = subject.baseAddress ?? UnsafePointer<UInt8>(bitPattern: 1), start <= subject.count else { return .noMatch }
        let rc = pcre2_match_8(pattern.code, base, subject.count, start, 0, matchData, context)
        if rc == PCRE2_ERROR_NOMATCH { return .noMatch }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT {
            return .limitExceeded
        }
        guard rc >= 0 else { return .noMatch }
        let pairs = Int(pcre2_get_ovector_count_8(matchData))
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(pairs)
        let unset = memfit_pcre2_unset()
        for i in 0..<pairs {
            let start = ovector[2 * i], end = ovector[2 * i + 1]
            ranges.append(start == unset || end < start ? nil : Int(start)..<Int(end))
        }
        return .match(PCRE2Match(ranges: ranges, groupNumbers: pattern.groupNumbers, subject: subject))
    }

    /// `text` with every match of `pattern` rewritten: the named group `secret` (or the whole match) becomes `mask`.
    public func replacingMatches(of pattern: PCRE2Pattern, in text: String, with mask: String) -> String {
        var copy = text
        return copy.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            var position = 0
            var searchFrom = 0
            while searchFrom <= bytes.count, case .match(let m) = match(pattern, in: bytes, from: searchFrom) {
                let target = m.range("secret") ?? m.whole
                out.append(contentsOf: bytes[position..<target.lowerBound])
                out.append(contentsOf: mask.utf8)
                position = target.upperBound
                searchFrom = max(m.whole.upperBound, searchFrom + 1)
            }
            out.append(contentsOf: bytes[position...])
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Convenience for strings: true when `pattern` matches anywhere in `text`.
    public func matches(_ pattern: PCRE2Pattern, _ text: String) -> PCRE2Match? {
        var copy = text
        return copy.withUTF8 { buffer in
            if case .match(let m) = match(pattern, in: buffer) { return m }
            return nil
        }
    }
}

/// The captures of one match, copied out as strings so they outlive the subject buffer.
public struct PCRE2Match: Sendable {
    public let whole: Range<Int>
    private let captures: [String: String]
    private let ranges: [String: Range<Int>]

    /// Where a named group matched, in bytes of the subject.
    public func range(_ name: String) -> Range<Int>? { ranges[name] }

    init(ranges: [Range<Int>?], groupNumbers: [String: Int], subject: UnsafeBufferPointer<UInt8>) {
        whole = ranges.first.flatMap { $0 } ?? 0..<0
        var captures: [String: String] = [:]
        var named: [String: Range<Int>] = [:]
        for (name, number) in groupNumbers where number < ranges.count {
            if let range = ranges[number] {
                captures[name] = String(decoding: UnsafeBufferPointer(rebasing: subject[range]), as: UTF8.self)
                named[name] = range
            }
        }
        self.captures = captures
        self.ranges = named
    }

    public subscript(_ name: String) -> String? { captures[name] }
}
