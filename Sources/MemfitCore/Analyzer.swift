/// What memfit learned about one input, reported alongside the findings.
public struct InputSummary: Sendable, Equatable {
    public var path: String
    /// How the input was read: "plain", "json", "insights-csv"…, or "unreadable".
    public var format: String
    /// For JSON, which document shape was recognised ("cloudwatch-filter-log-events", "ecs-describe-tasks"…).
    public var shape: String?
    public var compression: String
    public var encoding: String
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
extension InputSummary {
    static func unreadable(_ path: String, _ error: InputError) -> InputSummary {
        InputSummary(
            path: path, format: "unreadable", shape: nil, compression: "none", encoding: "unknown", records: 0, bytes: 0,
            cappedLines: 0, matchLimitHits: [], errors: [error.description], partial: true)
    }
}

public struct AnalysisReport: Sendable {
    public var findings: [Finding]
    public var inputs: [InputSummary]
    public var inputErrors: [InputError]
    /// Facts counted but not kept because the input held more distinct launch lines than memfit keeps.
    public var droppedFacts: Int
    public var options: DiagnosisOptions
    /// `scan` adds a per-source summary to the report.
    public var sourceSummary = false

    public var worstSeverity: Severity? { findings.map(\.severity).max() }

    /// Evidence cut to what reports show (after any redaction, so no secret is split before it is masked).
    public func clippingEvidence(to limit: Int = FactExtractor.displayedEvidenceCharacters) -> AnalysisReport {
        var report = self
        for i in report.findings.indices {
            report.findings[i].evidence = report.findings[i].evidence.map { e in
                var e = e
                e.text = FactExtractor.clipped(e.text, to: limit)
                return e
            }
        }
        return report
    }
}

/// The pipeline: read bytes → decode records → match → extract facts → diagnose → recommend.
/// Reporting is the caller's. One Analyzer per thread.
public final class Analyzer {
    let cleaner: LineCleaner
    let prefilter: Prefilter
    let matcher: LineMatcher
    /// `--rules`: run on every line the prefilter passes, after the built-in catalogue.
    public let userRules: UserRules
    let sniffPatterns: SniffPatterns
    public var reader = LineReader()
    /// Forces a format instead of detecting it.
    public var forcedFormat: InputFormat?
    /// Facts from lines timestamped outside this window are left out (`scan --since/--until`).
    public var window: TimeWindow?
    /// Past this many inflated bytes a gzip input may be stopped as a bomb (`GzipSource`); tests lower it.
    public var gzipBombFloor = GzipSource<FileDescriptorSource>.defaultBombFloor
    /// How many bytes are looked at to detect encoding and format.
    static let sniffBytes = 64 * 1024

    public init(catalogue: CompiledCatalogue? = nil, userRules: UserRules = UserRules()) throws(PCRE2Pattern.CompileError) {
        self.userRules = userRules
        // A user rule without a literal could match any line, so then every line is a candidate.
        prefilter = userRules.prefilterLiterals.map { Prefilter(literals: PatternCatalogue.prefilterSearchLiterals + $0) }
            ?? Prefilter(everyLine: true)
        cleaner = try LineCleaner()
        sniffPatterns = try SniffPatterns()
        if let catalogue {
            matcher = LineMatcher(catalogue: catalogue)
        } else {
            matcher = LineMatcher(catalogue: try CompiledCatalogue())
        }
    }

    /// Analyses files and directories ("-" is stdin). An input that cannot be read is reported and the others go on.
    public func analyze(paths: [String], options: DiagnosisOptions, files: InputFiles = InputFiles()) -> AnalysisReport {
        let (expanded, walkErrors) = files.expand(paths)
        var scan = InputScan(walkErrors: walkErrors)
        for path in expanded { scan.append(read(path)) }
        return scan.report(options: options)
    }

    /// Analyses bytes already in memory as one input called `name` (the tests and the fuzzer use it).
    public func analyze(bytes: [UInt8], name: String, options: DiagnosisOptions) -> AnalysisReport {
        var ledger = FactLedger()
        var hints: [String: Platform] = [:]
        var source = BytesSource(bytes)
        let (summary, error) = scan(&source, name: name, into: &ledger, hints: &hints)
        return AnalysisReport(
            findings: Diagnoser.diagnose(ledger, options: options, inputHints: hints), inputs: [summary],
            inputErrors: error.map { [$0] } ?? [], droppedFacts: ledger.droppedFacts, options: options)
    }

    /// Reads one input into a ledger of its own.
    public func read(_ path: String) -> InputScan {
        var scan = InputScan()
        let display = path == "-" ? "<stdin>" : path
        var stream: InputStream
        do {
            stream = try InputStream.open(path, gzipBombFloor: gzipBombFloor)
        } catch {
            scan.errors.append(error)
            scan.inputs.append(InputSummary.unreadable(display, error))
            return scan
        }
        let processor = RecordProcessor(input: display, analyzer: self, ledger: FactLedger())
        var summary = decode(&stream, processor: processor, compressed: stream.compression == .gzip)
        summary.compression = stream.compression.rawValue
        stream.close()
        scan.ledger = processor.ledger
        if let hint = processor.hint { scan.hints[display] = hint }
        if let error = processor.error { scan.errors.append(error) }
        scan.inputs.append(summary)
        return scan
    }

    /// Scans one byte stream into the ledger (for callers that have bytes, not files).
    public func scan<Source: ByteSource>(
        _ source: inout Source, name: String, into ledger: inout FactLedger, hints: inout [String: Platform]
    ) -> (InputSummary, InputError?) {
        let processor = RecordProcessor(input: name, analyzer: self, ledger: ledger)
        ledger = FactLedger()
        let summary = decode(&source, processor: processor)
        ledger = processor.ledger
        if let hint = processor.hint { hints[name] = hint }
        return (summary, processor.error)
    }

    /// Detects the text encoding and the format from the first bytes, then runs the matching decoder.
    func decode<Source: ByteSource>(_ source: inout Source, processor: RecordProcessor, compressed: Bool = false) -> InputSummary {
        var stats = LineReader.Stats()
        var format = forcedFormat ?? .plain
        var encoding = TextEncoding.utf8
        var utf16Errors: [InputError] = []
        do throws(InputError) {
            // An error while reading the first bytes (a short truncated gzip) still leaves what was read to decode.
            let (prefix, prefixError) = Analyzer.readPrefix(&source, count: Analyzer.sniffBytes)
            encoding = TextEncoding.detect(prefix)
            var replay = PrefixedSource(
                prefix: Array(prefix.dropFirst(encoding.bomLength(in: prefix))), base: source, pendingError: prefixError)
            switch encoding {
            case .utf16LE, .utf16BE:
                var utf8 = UTF16Source(base: replay, bigEndian: encoding == .utf16BE)
                let (head, headError) = Analyzer.readPrefix(&utf8, count: Analyzer.sniffBytes)
                format = forcedFormat ?? InputFormat.sniff(head, compressed: compressed, matcher: matcher.pcre, patterns: sniffPatterns)
                var text = PrefixedSource(prefix: head, base: utf8, pendingError: headError)
                let bom = Int64(encoding.bomLength(in: prefix))
                defer {
                    // Where the UTF-16 went wrong (a stray byte, UTF-8 appended), in the file's bytes.
                    utf16Errors = text.base.resyncs.map {
                        InputError(input: processor.input, reason: .invalidFormat, detail: $0.what, offset: $0.offset + bom)
                    }
                }
                try run(format, &text, processor: processor, stats: &stats)
            case .utf8, .utf8BOM:
                format = forcedFormat ?? InputFormat.sniff(
                    Array(replay.prefix), compressed: compressed, matcher: matcher.pcre, patterns: sniffPatterns)
                try run(format, &replay, processor: processor, stats: &stats)
            }
        } catch {
            processor.error = Analyzer.located(error, encoding: encoding, compressed: compressed)
        }
        // A syntax error the decoder read past (the rest went on as plain lines) is reported too.
        var errors = [processor.error].compactMap { $0 }
        if let recovered = processor.recoveredError {
            let located = Analyzer.located(recovered, encoding: encoding, compressed: compressed)
            errors.insert(located, at: 0)
            processor.error = processor.error ?? located
        }
        if !utf16Errors.isEmpty {
            errors = utf16Errors + errors
            processor.error = processor.error ?? utf16Errors[0]
        }
        stats.bytes = max(stats.bytes, processor.bytesRead)
        return InputSummary(
            path: processor.input, format: format.rawValue, shape: processor.shape, compression: "none", encoding: encoding.rawValue,
            records: processor.records ?? stats.lines, bytes: stats.bytes, cappedLines: stats.cappedLines + processor.cappedStrings,
            matchLimitHits: processor.limitHits + (processor.limitHitsNotListed > 0 ? ["and \(processor.limitHitsNotListed) more"] : []),
            errors: errors.map(\.description),
            partial: processor.error != nil)
    }

    /// Offsets of decoded content are said in terms the user can find: past a UTF-8 BOM, in the file; else what
    /// they count.
    static func located(_ error: InputError, encoding: TextEncoding, compressed: Bool) -> InputError {
        var error = error
        if error.reason == .invalidFormat, let offset = error.offset {
            switch encoding {
            case .utf8BOM: error.offset = offset + 3
            case .utf16LE, .utf16BE: error.detail = (error.detail ?? "") + ", counted in the text decoded from UTF-16"
            case .utf8: break
            }
            if compressed { error.detail = (error.detail ?? "") + ", counted in the decompressed data" }
        }
        return error
    }

    func run<Source: ByteSource>(
        _ format: InputFormat, _ source: inout Source, processor: RecordProcessor, stats: inout LineReader.Stats
    ) throws(InputError) {
        switch format {
        case .plain:
            try PlainLinesDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        case .json:
            try JSONLogDecoder().decodeRecovering(&source, reader: reader, stats: &stats, into: processor)
        case .jsonLines:
            try JSONLinesDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        case .insightsCSV:
            try InsightsCSVDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        case .cloudwatchText:
            try CloudWatchTextDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        case .awsLogsTail, .s3Export:
            try TimestampedLinesDecoder(format: format).decode(&source, reader: reader, stats: &stats, into: processor)
        case .cri:
            try CRIDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        case .kubectlDescribe:
            try KubectlDescribeDecoder().decode(&source, reader: reader, stats: &stats, into: processor)
        }
    }

    /// Reads up to `count` bytes (fewer at the end of input), and the error that stopped it early, if any.
    static func readPrefix<Source: ByteSource>(_ source: inout Source, count: Int) -> ([UInt8], InputError?) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        var filled = 0
        do {
            while filled < count {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if n == 0 { break }
                filled += n
            }
        } catch {
            return (Array(buffer[0..<filled]), error)
        }
        return (Array(buffer[0..<filled]), nil)
    }
}

/// What reading some inputs gave, before diagnosis: scans of separate inputs append in input order.
public struct InputScan: Sendable {
    public var ledger = FactLedger()
    public var inputs: [InputSummary] = []
    public var errors: [InputError] = []
    public var hints: [String: Platform] = [:]

    public init() {}

    /// Starts with the paths a directory walk could not read (a directory that cannot be listed): each is an
    /// input that could not be read, in the report's inputs as well as its errors.
    public init(walkErrors: [InputError]) {
        errors = walkErrors
        inputs = walkErrors.map { InputSummary.unreadable($0.input, $0) }
    }

    public mutating func append(_ other: InputScan) {
        ledger.merge(other.ledger)
        inputs += other.inputs
        errors += other.errors
        hints.merge(other.hints) { a, _ in a }
    }

    public func report(options: DiagnosisOptions) -> AnalysisReport {
        AnalysisReport(
            findings: Diagnoser.diagnose(ledger, options: options, inputHints: hints), inputs: inputs, inputErrors: errors,
            droppedFacts: ledger.droppedFacts, options: options)
    }
}

/// Takes one input's decoded records through cleaning, matching and fact extraction into the ledger.
final class RecordProcessor {
    let input: String
    unowned let analyzer: Analyzer
    var ledger: FactLedger
    /// The platform the input's first lines point to.
    var hint: Platform?
    var limitHits: [String] = []
    var limitHitsNotListed = 0
    /// Records counted by a structured decoder; nil means "one per line".
    var records: Int?
    var bytesRead: Int64 = 0
    /// JSON strings and CSV fields longer than the cap, kept as head and tail.
    var cappedStrings = 0
    var shape: String?
    var error: InputError?
    /// Nested base64+gzip payloads inside a JSON input: bytes inflated so far, and the budget the input has earned.
    var nestedInflated: Int64 = 0
    var nestedBudget: Int64 = JSONLogDecoder.nestedBudgetFloor
    /// A syntax error the decoder went past, reading the rest of the input as plain lines.
    var recoveredError: InputError?
    static let sniffLines = 64
    static let maxLimitHitsReported = 20

    init(input: String, analyzer: Analyzer, ledger: FactLedger) {
        self.input = input
        self.analyzer = analyzer
        self.ledger = ledger
    }

    var prefilter: Prefilter { analyzer.prefilter }

    /// A line that may hold a launch message: prefilter, then decode and match.
    func line(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, capped: Bool = false, context: RecordContext? = nil) {
        if hint == nil && number <= RecordProcessor.sniffLines && context == nil { sniff(bytes, number: number) }
        guard prefilter.matches(bytes) else { return }
        process(bytes, number: number, capped: capped, context: context)
    }

    /// A message that may span lines (JSON and CSV fields): each of its lines is matched on its own.
    func message(_ text: String, number: Int, context: RecordContext) {
        var text = text
        text.withUTF8 { bytes in
            if !bytes.contains(0x0A) {
                line(bytes, number: number, context: context)
                return
            }
            var start = 0
            while start <= bytes.count {
                let end = LineReader.indexOfNewline(bytes, from: start) ?? bytes.count
                line(LineReader.droppingCR(UnsafeBufferPointer(rebasing: bytes[start..<end])), number: number, context: context)
                start = end + 1
            }
        }
    }

    /// Complete lines straight from the read buffer: only lines with a prefilter literal are decoded.
    func block(_ block: UnsafeBufferPointer<UInt8>, firstLine: Int) {
        if hint == nil && firstLine <= RecordProcessor.sniffLines {
            var number = firstLine
            LineReader.forEachLine(in: block) { line in
                if hint == nil && number <= RecordProcessor.sniffLines { sniff(line, number: number) }
                number += 1
            }
        }
        var counted = 0
        var number = firstLine
        for start in prefilter.candidateLineStarts(in: block) {
            number += LineReader.countNewlines(UnsafeBufferPointer(rebasing: block[counted..<start]))
            counted = start
            process(LineReader.line(in: block, startingAt: start), number: number, capped: false, context: nil)
        }
    }

    /// A record a structured decoder built itself (no text to prefilter), e.g. an ECS container stop.
    func record(_ record: LogRecord) {
        if let window = analyzer.window, !window.contains(record.timestamp) { return }
        switch analyzer.matcher.match(record.message) {
        case .matched(let entry, let m):
            if let fact = FactExtractor.fact(from: m, entry: entry, record: record) { ledger.add(fact) }
        case .limitExceeded(let id):
            noteLimit(id, line: record.line)
        case .none:
            break
        }
        guard !analyzer.userRules.rules.isEmpty else { return }
        let (hits, limited) = analyzer.userRules.matches(record.message, matcher: analyzer.matcher.pcre)
        for id in limited { noteLimit(id, line: record.line) }
        for hit in hits { ledger.add(FactExtractor.fact(from: hit, record: record)) }
    }

    private func sniff(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) {
        hint = analyzer.cleaner.clean(bytes, input: input, line: number, capped: false, matcher: analyzer.matcher.pcre).platformHint
    }

    private func process(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, capped: Bool, context: RecordContext?) {
        // A lone CR (progress output, old Mac files) ends a line too: match each piece on its own.
        if let cr = bytes.firstIndex(of: 0x0D), cr < bytes.count - 1 {
            for piece in bytes.split(separator: 0x0D) {
                processPiece(UnsafeBufferPointer(rebasing: piece), number: number, capped: capped, context: context)
            }
            return
        }
        processPiece(bytes, number: number, capped: capped, context: context)
    }

    private func processPiece(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, capped: Bool, context: RecordContext?) {
        let record = analyzer.cleaner.clean(
            bytes, input: input, line: number, capped: capped, matcher: analyzer.matcher.pcre, context: context)
        if hint == nil { hint = record.platformHint }
        self.record(record)
    }

    private func noteLimit(_ id: String, line: Int) {
        // Once per pattern and line (a capped line's head and tail, or CR-split pieces, share a number).
        let hit = "\(id) at line \(line)"
        if limitHits.last == hit { return }
        if limitHits.count < RecordProcessor.maxLimitHitsReported { limitHits.append(hit) } else { limitHitsNotListed += 1 }
    }
}
