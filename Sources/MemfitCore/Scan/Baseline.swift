/// Last night's findings, so the nightly job reports only what is new or worse (as periphery does with its
/// baselines). A finding is identified by kind, source and calculator generation; "worse" means a higher severity
/// or less memory available than the baseline's worst case.
public struct Baseline: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var severity: Severity
        public var availableBytes: Int64?
    }

    public var entries: [String: Entry] = [:]

    public init() {}

    public init(report: AnalysisReport) {
        for f in report.findings { entries[Baseline.key(f)] = Entry(severity: f.severity, availableBytes: f.calculator?.availableBytes) }
    }

    static func key(_ f: Finding) -> String {
        // A finding without a named source is its input's (as in the summary), so two services' unnamed
        // failures do not share one key and hide each other.
        [f.rule.map { "rule:" + $0.ruleID } ?? f.kindName, f.source ?? f.evidence.first?.input ?? "-", f.calculator?.generation.rawValue ?? "-"].joined(separator: "|")
    }

    public func isNewOrWorse(_ f: Finding) -> Bool {
        guard let old = entries[Baseline.key(f)] else { return true }
        if f.severity > old.severity { return true }
        if let now = f.calculator?.availableBytes, let before = old.availableBytes, now < before { return true }
        return false
    }

    /// The report with only the findings that are new or worse than the baseline's.
    public func filter(_ report: AnalysisReport) -> AnalysisReport {
        var report = report
        report.findings = report.findings.filter(isNewOrWorse)
        return report
    }

    public func serialized() -> String {
        JSONValue.object([
            ("schemaVersion", .int(1)),
            ("baseline", .array(entries.keys.sorted().map { key in
                let e = entries[key]!
                return .object([
                    ("key", .string(key)), ("severity", .string(e.severity.rawValue)),
                    ("availableBytes", .optional(e.availableBytes)),
                ])
            })),
        ]).serialized()
    }

    /// Reads a file written by `serialized()`; anything else is an error naming the file.
    public static func load(path: String) throws(InputError) -> Baseline {
        var stream = try InputStream.open(path)
        defer { stream.close() }
        var tokenizer = JSONTokenizer(source: stream)
        defer { tokenizer.release() }
        var baseline = Baseline()
        var fields: [String: String] = [:]
        var key: String?
        var sawBaseline = false  // any JSON object is not a baseline: the "baseline" member must be there
        do {
            while let token = try tokenizer.next() {
                switch token {
                case .key(let k):
                    key = k
                    if k == "baseline" && tokenizer.depth == 1 { sawBaseline = true }
                case .string(let v), .number(let v):
                    if let k = key { fields[k] = v }
                    key = nil
                case .objectEnd where tokenizer.depth == 2:
                    if let k = fields["key"], let severity = fields["severity"].flatMap(Severity.init(rawValue:)) {
                        baseline.entries[k] = Entry(severity: severity, availableBytes: fields["availableBytes"].flatMap { Int64($0) })
                    }
                    fields = [:]
                default: key = nil
                }
            }
        } catch {
            throw InputError(input: path, reason: .invalidFormat, detail: "not a memfit baseline")
        }
        guard sawBaseline else { throw InputError(input: path, reason: .invalidFormat, detail: "not a memfit baseline") }
        return baseline
    }
}
