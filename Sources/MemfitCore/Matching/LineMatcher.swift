import CPCRE2

/// Stage 3, match: finds the catalogue entry a line is an instance of. A memmem prefilter on the raw bytes
/// skips the PCRE2 work for the vast majority of lines, which contain none of the catalogue's literals.
/// One per thread: it owns PCRE2 match data.
public final class LineMatcher {
    public let catalogue: CompiledCatalogue
    let literals: [[UInt8]]
    public let pcre = PCRE2Matcher()

    public init(catalogue: CompiledCatalogue) {
        self.catalogue = catalogue
        self.literals = catalogue.prefilterLiterals
    }

    /// True when the raw line contains at least one literal that some catalogue entry requires.
    public func isCandidate(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress, line.count > 0 else { return false }
        for literal in literals {
            let hit = literal.withUnsafeBytes { lit in memfit_memmem(base, line.count, lit.baseAddress, lit.count) }
            if hit != nil { return true }
        }
        return false
    }

    public enum Outcome {
        case none
        case matched(CatalogueEntry, PCRE2Match)
        /// An entry's pattern hit the PCRE2 match limit on this line; it was skipped.
        case limitExceeded(entryID: String)
    }

    /// The first catalogue entry whose literal and pattern both match the cleaned message.
    public func match(_ message: String) -> Outcome {
        var text = message
        return text.withUTF8 { bytes -> Outcome in
            guard let base = bytes.baseAddress else { return .none }
            var limited: String?
            for compiled in catalogue.entries {
                let hit = compiled.literal.withUnsafeBytes { lit in memfit_memmem(base, bytes.count, lit.baseAddress, lit.count) }
                guard hit != nil else { continue }
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
