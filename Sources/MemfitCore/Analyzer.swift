/// What memfit learned about one input, reported alongside the findings.
public struct InputSummary: Sendable, Equatable {
    public var path: String
    /// How the input was read: "plain" or "gzip".
    public var format: String
    public var records: Int
    public var bytes: Int64
    public var cappedLines: Int
    /// Catalogue patterns that hit the PCRE2 match limit: "pattern-id at line N".
    public var matchLimitHits: [String]
    public var errors: [String]
    /// True when reading stopped early; findings from the part that was read are still reported.
    public var partial: Bool
}

/// Everything one run found, ready for a reporter.
public struct AnalysisReport: Sendable {
    public var findings: [Finding]
    public var inputs: [InputSummary]
    public var inputErrors: [InputError]
    /// Facts counted but not kept because the input held more distinct launch lines than memfit keeps.
    public var droppedFacts: Int
    public var options: DiagnosisOptions

    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

/// The pipeline: read bytes → decode records → match → extract facts → diagnose → recommend.
/// Reporting is the caller's. One Analyzer per thread.
public final class Analyzer {
    let cleaner: LineCleaner
    let prefilter = Prefilter()
    let matcher: LineMatcher
    public var reader = LineReader()
    /// Lines at the top of each input that are decoded even without a catalogue literal, to learn the platform.
    static let sniffLines = 64
    static let maxLimitHitsReported = 20

    public init(catalogue: CompiledCatalogue? = nil) throws(PCRE2Pattern.CompileError) {
        cleaner = try LineCleaner()
        if let catalogue {
            matcher = LineMatcher(catalogue: catalogue)
        } else {
            matcher = LineMatcher(catalogue: try CompiledCatalogue())
        }
    }

    /// Analyses files ("-" is stdin). An input that cannot be read is reported and the others go on.
    public func analyze(paths: [String], options: DiagnosisOptions) -> AnalysisReport {
        var ledger = FactLedger()
        var inputs: [InputSummary] = []
        var errors: [InputError] = []
        var hints: [String: Platform] = [:]
        for path in paths {
            let display = path == "-" ? "<stdin>" : path
            var stream: InputStream
            do {
                stream = try InputStream.open(path)
            } catch {
                errors.append(error)
                inputs.append(InputSummary(
                    path: display, format: "unreadable", records: 0, bytes: 0, cappedLines: 0, matchLimitHits: [],
                    errors: [error.description], partial: true))
                continue
            }
            var (summary, error) = scan(&stream, name: display, into: &ledger, hints: &hints)
            summary.format = stream.compression == .gzip ? "gzip" : "plain"
            stream.close()
            if let error { errors.append(error) }
            inputs.append(summary)
        }
        let findings = Diagnoser.diagnose(ledger, options: options, inputHints: hints)
        return AnalysisReport(
            findings: findings, inputs: inputs, inputErrors: errors, droppedFacts: ledger.droppedFacts, options: options)
    }

    /// Scans one byte stream into the ledger. Errors stop this input only; what was read before them counts.
    public func scan<Source: ByteSource>(
        _ source: inout Source, name: String, into ledger: inout FactLedger, hints: inout [String: Platform]
    ) -> (InputSummary, InputError?) {
        var stats = LineReader.Stats()
        var limitHits: [String] = []
        var hint: Platform?
        var failure: InputError?

        /// Decodes and matches one line that passed the prefilter.
        func process(_ line: UnsafeBufferPointer<UInt8>, number: Int, capped: Bool) {
            let record = cleaner.clean(line, input: name, line: number, capped: capped, matcher: matcher.pcre)
            if hint == nil { hint = record.platformHint }
            switch matcher.match(record.message) {
            case .none:
                return
            case .limitExceeded(let id):
                if limitHits.count < Analyzer.maxLimitHitsReported { limitHits.append("\(id) at line \(number)") }
            case .matched(let entry, let m):
                if let fact = FactExtractor.fact(from: m, entry: entry, record: record) { ledger.add(fact) }
            }
        }

        /// The first lines of an input are decoded even without a literal: their shape tells the platform.
        func sniff(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
            guard hint == nil, number <= Analyzer.sniffLines else { return }
            hint = cleaner.clean(line, input: name, line: number, capped: false, matcher: matcher.pcre).platformHint
        }

        do {
            try reader.forEachPiece(in: &source, stats: &stats) { piece in
                switch piece {
                case .line(let line, let number, let capped):
                    sniff(line, number: number)
                    if prefilter.matches(line) { process(line, number: number, capped: capped) }
                case .block(let block, let first):
                    if hint == nil && first <= Analyzer.sniffLines {
                        var number = first
                        LineReader.forEachLine(in: block) { line in
                            sniff(line, number: number)
                            number += 1
                        }
                    }
                    var counted = 0
                    var number = first
                    for start in prefilter.candidateLineStarts(in: block) {
                        number += LineReader.countNewlines(UnsafeBufferPointer(rebasing: block[counted..<start]))
                        counted = start
                        process(LineReader.line(in: block, startingAt: start), number: number, capped: false)
                    }
                }
            }
        } catch {
            failure = error
        }
        if let hint { hints[name] = hint }
        let summary = InputSummary(
            path: name, format: "plain", records: stats.lines, bytes: stats.bytes, cappedLines: stats.cappedLines,
            matchLimitHits: limitHits, errors: failure.map { [$0.description] } ?? [], partial: failure != nil)
        return (summary, failure)
    }
}
