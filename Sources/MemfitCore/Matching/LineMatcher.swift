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
