import Glibc
import MemfitCore

// libFuzzer entry point for every memfit fuzz target; MEMFIT_FUZZ_TARGET picks one (scripts/fuzz sets it).
// Each target feeds the bytes to one stage and renders what comes out, so a crash, a hang or a sanitizer report
// anywhere from reading to reporting is found. Build and run with scripts/fuzz, never in a normal build.

nonisolated(unsafe) let analyzer = try! Analyzer()
let cleaner = try! LineCleaner()
nonisolated(unsafe) let matcher = LineMatcher(catalogue: try! CompiledCatalogue())
nonisolated(unsafe) let reporters: [any Reporter] = [TextReporter(color: true), JSONReporter(), MarkdownReporter(), HTMLReporter()]
let target = FuzzTarget(rawValue: getenvString("MEMFIT_FUZZ_TARGET") ?? "") ?? .analyze

enum FuzzTarget: String, CaseIterable {
    /// The whole pipeline on bytes, format and encoding detected as for a file.
    case analyze
    /// The gzip reader (multi-member, truncated, trailing junk, bombs) and then the whole pipeline.
    case gzip
    /// Each decoder forced in turn by the first byte: JSON, json-lines, Insights CSV, CRI partial join, text forms.
    case decoders
    /// The line cleaner: escape sequences, timestamps, platform prefixes.
    case cleaner
    /// The catalogue patterns and the fact extractor on one cleaned line.
    case extractor
    /// MemorySize parsing and formatting.
    case memorySize = "memory-size"
    /// A `--rules` file: parsing, compiling, samples, backtracking probes, then the rules over the file itself.
    case rules
}

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

func render(_ report: AnalysisReport) {
    for reporter in reporters { _ = reporter.render(report) }
}

/// libFuzzer's own driver, called from here because SwiftPM gives an executable target its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch target {
    case .analyze:
        analyzer.forcedFormat = nil
        render(analyzer.analyze(bytes: bytes, name: "fuzz.log", options: DiagnosisOptions()))
    case .gzip:
        var source = GzipSource(base: BytesSource(bytes), name: "fuzz.gz")
        var ledger = FactLedger()
        var hints: [String: Platform] = [:]
        analyzer.forcedFormat = nil
        _ = analyzer.scan(&source, name: "fuzz.gz", into: &ledger, hints: &hints)
        source.release()
        _ = Diagnoser.diagnose(ledger, options: DiagnosisOptions(), inputHints: hints)
    case .decoders:
        guard let first = bytes.first else { return 0 }
        let formats = InputFormat.allCases
        analyzer.forcedFormat = formats[Int(first) % formats.count]
        render(analyzer.analyze(bytes: Array(bytes.dropFirst()), name: "fuzz.log", options: DiagnosisOptions()))
    case .cleaner:
        let record = bytes.withUnsafeBufferPointer {
            cleaner.clean($0, input: "fuzz.log", line: 1, capped: false, matcher: matcher.pcre)
        }
        _ = LineCleaner.removeControls(record.message)
    case .extractor:
        let message = String(decoding: bytes, as: UTF8.self)
        if case .matched(let entry, let m) = matcher.match(message) {
            let record = LogRecord(input: "fuzz.log", line: 1, message: message)
            _ = FactExtractor.fact(from: m, entry: entry, record: record)
        }
    case .rules:
        guard let definitions = try? RuleFile.parse(bytes, file: "fuzz.json"),
              let rules = try? UserRules(definitions, file: "fuzz.json") else { return 0 }
        _ = rules.checkSamples(matcher: matcher.pcre)
        _ = rules.backtrackingWarnings(matcher: matcher.pcre)
        _ = BuiltInRules.json(definitions)
        if let ruled = try? Analyzer(userRules: rules) {
            render(ruled.analyze(bytes: bytes, name: "fuzz.json", options: DiagnosisOptions()))
        }
    case .memorySize:
        let text = String(decoding: bytes, as: UTF8.self)
        for byteSuffix in [false, true] {
            if let size = MemorySize(parsing: text, allowByteSuffix: byteSuffix) {
                _ = (size.description, size.humanReadable, size.mebibytesRoundedUp, size + size, size * 250)
            }
        }
    }
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
