/// Output of `memfit calc`: the calculator's own line, then a plain explanation (text) or the JSON contract.
public enum CalcReport {
    public static func json(_ outcome: MemoryCalculator.Outcome) -> String {
        switch outcome {
        case .fits(_, let line, let flags):
            return JSONValue.object([("fits", .bool(true)), ("message", .string(line)), ("jvmOptions", .string(flags))]).serialized()
        case .doesNotFit(_, _, let line), .invalidOptions(let line):
            return JSONValue.object([("fits", .bool(false)), ("message", .string(line)), ("jvmOptions", .null)]).serialized()
        }
    }

    public static func text(_ outcome: MemoryCalculator.Outcome, _ calculator: MemoryCalculator) -> String {
        var lines: [String] = []
        switch outcome {
        case .fits(let regions, let line, _):
            lines.append(line)
            lines.append("")
            lines.append("The JVM fits in \(calculator.totalMemory): fixed regions \(regions.fixed) (direct \(regions.directMemory), "
                + "metaspace \(regions.metaspace), code cache \(regions.codeCache), \(regions.threadCount) threads × \(regions.stack))"
                + ", headroom \(regions.headroom), heap \(regions.heap).")
            if regions.userSet.contains(.heap) {
                lines.append("The heap was set with -Xmx, so the calculator did not size it.")
            }
        case .doesNotFit(let check, let required, let line):
            lines.append(line)
            lines.append("")
            let short = required - calculator.totalMemory
            lines.append("The JVM would not start: its \(Narrative.regionsName(check)) need \(required) but only \(calculator.totalMemory) "
                + "is available, short by \(short) (\(short.humanReadable)).")
        case .invalidOptions(let line):
            lines.append(line)
            lines.append("")
            lines.append("The JVM options could not be split into words: check the quotes in --jvm-options.")
        }
        // The calculator's line stays whole so it can be compared byte for byte; the explanation is wrapped.
        let explanation = lines.dropFirst().map {
            TextLayout.wrap($0, width: TextReporter.width, indent: "", hanging: "").joined(separator: "\n")
        }
        return ([lines[0]] + explanation).joined(separator: "\n") + "\n"
    }
}
