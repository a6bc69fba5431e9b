/// JSON contract version 1 (documented in the README). Keys beyond the contract are additions, never changes.
public struct JSONReporter: Reporter {
    public init() {}

    public func render(_ report: AnalysisReport) -> String {
        JSONValue.object([
            ("schemaVersion", .int(1)),
            ("findings", .array(report.findings.map(finding))),
            ("inputs", .array(report.inputs.map(input))),
            ("droppedFacts", .int(report.droppedFacts)),
        ] + (report.sourceSummary ? [("sources", .array(SourceSummary.rows(report).map(\.json)))] : [])).serialized()
    }

    /// `--format jsonl`: one finding per line.
    public func lines(_ report: AnalysisReport) -> String {
        report.findings.map { finding($0).compact() + "\n" }.joined()
    }

    func finding(_ f: Finding) -> JSONValue {
        guard case .object(var fields) = builtInFields(f) else { return .null }
        if let rule = f.rule { fields.insert(("rule", .string(rule.ruleID)), at: 1) }
        return .object(fields)
    }

    private func builtInFields(_ f: Finding) -> JSONValue {
        .object([
            ("kind", .string(f.kindName)),
            ("severity", .string(f.severity.rawValue)),
            ("source", .optional(f.source)),
            ("occurrences", .int(f.occurrences)),
            ("calculator", f.calculator.map(calculator) ?? .null),
            ("recommendation", f.recommendation.map(recommendation) ?? .null),
            ("evidence", .array(f.evidence.map { e in
                .object([("input", .string(e.input)), ("line", .int(e.line)), ("text", .string(e.text))])
            })),
            ("platform", .string(f.platform.rawValue)),
            ("platformReason", .string(f.platformReason)),
            ("memoryLimitBytes", .optional(f.memoryLimitBytes)),
            ("exitCode", .optional(f.exitCode)),
            ("drift", f.drift.map { d in
                .object([
                    ("loadedClassCounts", .array(d.loadedClassCounts.map { .int($0) })),
                    ("availableBytes", .array(d.availableBytes.map { .int($0) })),
                    ("failsAtAvailableBytes", .array(d.failsAt.map { .int($0) })),
                ])
            } ?? .null),
            ("margin", f.margin.map { m in
                .object([("moreClasses", .optional(m.moreClasses)), ("lessMemoryMiB", .int(m.lessMemoryMiB))])
            } ?? .null),
            ("vendor", .optional(f.vendor)),
            ("summary", .string(Narrative.headline(f))),
            ("firstSeen", .optional(f.firstSeen)),
            ("lastSeen", .optional(f.lastSeen)),
        ])
    }

    func calculator(_ c: CalculatorFailure) -> JSONValue {
        .object([
            ("generation", .string(c.generation.rawValue)),
            ("check", .optional(c.check?.rawValue)),
            ("availableBytes", .int(c.availableBytes)),
            ("requiredBytes", .optional(c.requiredBytes)),
            ("shortfallBytes", .optional(c.shortfallBytes)),
            ("limitVisible", .optional(c.limitVisible)),
            ("threadCount", .optional(c.threadCount)),
            ("loadedClassCount", .optional(c.loadedClassCount)),
            ("loadedClassCountDerived", .bool(c.loadedClassCountDerived)),
            ("regions", .object([
                ("directMemoryBytes", .optional(c.regions.directMemoryBytes)),
                ("metaspaceBytes", .optional(c.regions.metaspaceBytes)),
                ("reservedCodeCacheBytes", .optional(c.regions.reservedCodeCacheBytes)),
                ("threadStackBytes", .optional(c.regions.threadStackBytes)),
                ("heapBytes", .optional(c.regions.heapBytes)),
                ("headroomBytes", .optional(c.regions.headroomBytes)),
            ])),
            ("heapUserSet", .bool(c.heapUserSet)),
        ])
    }

    func recommendation(_ r: Recommendation) -> JSONValue {
        .object([
            ("platform", .string(r.platform.rawValue)),
            ("memoryMiB", .int(r.memoryMiB)),
            ("cpuUnits", .optional(r.cpuUnits)),
            ("minHeapBytes", .int(r.minHeapBytes)),
            ("heapBytes", .int(r.heapBytes)),
            ("containerLimitAdvice", .optional(r.containerLimitAdvice)),
            ("alternatives", .array(r.alternatives.map { a in
                .object([("change", .string(a.change)), ("memoryMiB", .int(a.memoryMiB)), ("heapBytes", .int(a.heapBytes))])
            })),
            ("currentBytes", .optional(r.currentBytes)),
        ])
    }

    func input(_ i: InputSummary) -> JSONValue {
        .object([
            ("path", .string(i.path)),
            ("format", .string(i.format)),
            ("shape", .optional(i.shape)),
            ("compression", .string(i.compression)),
            ("encoding", .string(i.encoding)),
            ("records", .int(i.records)),
            ("bytes", .int(i.bytes)),
            ("errors", .array(i.errors.map { .string($0) })),
            ("cappedLines", .int(i.cappedLines)),
            ("matchLimitHits", .array(i.matchLimitHits.map { .string($0) })),
            ("partial", .bool(i.partial)),
        ])
    }
}
