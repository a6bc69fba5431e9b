import CStringSearch

/// Stage 3, match (second half): finds the catalogue entry a line that passed the `Prefilter` is an instance of.
/// Each entry's own literal is checked before its pattern runs. One per thread: it owns PCRE2 match data.
public final class LineMatcher {
    public let catalogue: CompiledCatalogue
    public let pcre = PCRE2Matcher()

    public init(catalogue: CompiledCatalogue) {
        self.catalogue = catalogue
    }

    public enum Outcome {
        case none
        case matched(CatalogueEntry, PCRE2Match)
        /// An entry's pattern hit the PCRE2 match limit on this line; it was skipped.
        case limitExceeded(entryID: String)
    }

    /// Whether `haystack` holds `needle` (given in lower case) with ASCII letters in any case. Only lines the prefilter
    /// passed get here, so a plain scan is enough.
    static func containsIgnoringASCIICase(_ haystack: UnsafeBufferPointer<UInt8>, lowercased needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        let first = needle[0]
        for start in 0...(haystack.count - needle.count) where lower(haystack[start]) == first {
            var i = 1
            while i < needle.count && lower(haystack[start + i]) == needle[i] { i += 1 }
            if i == needle.count { return true }
        }
        return false
    }

    /// The first catalogue entry whose literal and pattern both match the cleaned message.
    public func match(_ message: String) -> Outcome {
        var text = message
        return text.withUTF8 { bytes -> Outcome in
            guard let base = bytes.baseAddress else { return .none }
            var limited: String?
            for compiled in catalogue.entries {
                if compiled.entry.caseless {
                    guard LineMatcher.containsIgnoringASCIICase(bytes, lowercased: compiled.literal) else { continue }
                } else {
                    let hit = compiled.literal.withUnsafeBytes { lit in memfit_memmem(base, bytes.count, lit.baseAddress, lit.count) }
                    guard hit != nil else { continue }
                }
                switch pcre.match(compiled.pattern, in: bytes) {
                case .match(let m): return .matched(compiled.entry, m)
                case .limitExceeded: limited = limited ?? compiled.entry.id
                case .noMatch: continue
                }
            }
            return limited.map { .limitExceeded(entryID: $0) } ?? .none
        }
    }
}
