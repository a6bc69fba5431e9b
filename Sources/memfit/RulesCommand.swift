import MemfitCore

let rulesHelp = """
    Usage: memfit rules check FILE...
           memfit rules list [--format text|json]

    Your own launch failures, without waiting for a release: a rules file is JSON, the same model
    as the built-in catalogue. Give it to analyze or scan with --rules FILE (repeatable).

      {"rules": [{
        "id": "acme-native-oom",                   unique across all rules files
        "kind": "native-oom",                      the finding kind reported (lowercase, '-')
        "severity": "failure",                     info, warning or failure
        "pattern": "native allocation of (?<size>\\\\d+[KMG]) failed",   PCRE2, named groups
        "literal": "native allocation",            optional: a substring every match holds (fast
                                                   prefilter; without one every line is matched)
        "caseless": false,                         optional
        "message": "a native allocation of {size} failed",   {group} placeholders
        "when": ["size >= 64M"],                   optional: all must hold (numbers or sizes)
        "samples": ["native allocation of 128M failed"]   required: 1 to 100 lines that must match
      }]}

    check   compiles every pattern, runs every sample, and reports each problem with the file, the
            rule id and, for a pattern, the PCRE2 error offset.
    list    prints the built-in catalogue; with --format json, in the rules format above.

    Exit status: 0 all rules are valid, 65 a rules file is not valid, 66 a rules file cannot be read,
                 64 usage error.
    """

func runRules(_ args: [String]) -> ExitCode {
    let parsed: Arguments
    do throws(Arguments.UsageError) {
        parsed = try Arguments(args, valued: ["--format"], boolean: ["--help"], aliases: ["-f": "--format", "-h": "--help"])
        if parsed.has("--help") {
            return printText(rulesHelp + "\n")
        }
        switch parsed.positional.first {
        case "check":
            guard parsed.positional.count > 1 else { throw Arguments.UsageError(message: "rules check needs at least one FILE") }
        case "list":
            guard parsed.positional.count == 1 else { throw Arguments.UsageError(message: "rules list takes no files") }
            guard ["text", "json"].contains(parsed.value("--format") ?? "text") else {
                throw Arguments.UsageError(message: "--format must be text or json")
            }
        default:
            throw Arguments.UsageError(message: "rules takes check FILE... or list")
        }
    } catch {
        return usageError(error.message, help: "rules")
    }

    if parsed.positional.first == "list" {
        let definitions = BuiltInRules.definitions()
        if parsed.value("--format") == "json" { return writeStdout(BuiltInRules.json(definitions)) ? .ok : .ioError }
        var out = "\(definitions.count) built-in rules, in match order:\n"
        for d in definitions {
            out += "\n\(d.id)  [\(d.kind), \(d.severity.rawValue)\(d.caseless ? ", caseless" : "")]\n"
            // Patterns are printed whole, in pieces of 96 characters so that no line passes 100 columns.
            var rest = Substring(d.pattern)
            while !rest.isEmpty {
                out += "  " + rest.prefix(96) + "\n"
                rest = rest.dropFirst(96)
            }
        }
        return writeStdout(out) ? .ok : .ioError
    }

    var status = ExitCode.ok
    var written = true  // false once stdout failed: exit 74, as for every report
    for file in parsed.positional.dropFirst() {
        do {
            let rules = try UserRules.load(paths: [file], allowingBuiltInIDs: true)
            let problems = rules.checkSamples()
            for problem in problems { writeStderr("memfit: \(problem)") }
            for warning in rules.backtrackingWarnings() { writeStderr("memfit: \(warning)") }
            if problems.isEmpty {
                let samples = rules.rules.reduce(0) { $0 + $1.definition.samples.count }
                let ruleWord = rules.rules.count == 1 ? "rule" : "rules", sampleWord = samples == 1 ? "sample" : "samples"
                written = written && writeStdout("\(file): \(rules.rules.count) \(ruleWord), \(samples) \(sampleWord), all match\n")
            } else {
                status = .badRules
            }
        } catch {
            writeStderr("memfit: \(error)")
            if status == .ok { status = error.unreadable ? .noInput : .badRules }
        }
    }
    guard written else {
        writeStderr("memfit: the result could not be written to standard output")
        return .ioError
    }
    return status
}
