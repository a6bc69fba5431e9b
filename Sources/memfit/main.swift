import MemfitCore

#if canImport(Glibc)
    import Glibc
#endif

/// The thin front end: parse the command line, run MemfitCore, write the report, map the result to an exit code.

let mainHelp = """
    memfit: why a JVM container would not start, and what memory size to give it.

    Usage:
      memfit [analyze] [options] [FILE...]   analyse logs (FILE "-" or none: standard input)
      memfit calc [options]                  what the memory calculator prints for given inputs
      memfit scan [options] PATH...          the nightly job: many files in parallel, per-source summary
      memfit diff [options] PASSING FAILING  what changed between two builds, and what can change memory
      memfit query insights [options]        a Logs Insights query that lets CloudWatch do the filtering
      memfit rules check FILE... | list      check your own rules files; print the built-in catalogue
      memfit help [COMMAND]                  this help, or a command's help
      memfit --version

    Run 'memfit help COMMAND' (analyze, scan, calc, diff, query, rules) for its options.

    Exit status: 0 nothing to report, 1 a failure found, 2 only warnings, 64 usage error,
                 65 a rules file is not valid, 66 an input could not be read (and no failure found),
                 70 internal error, 74 the report could not be written.
    """

let analyzeHelp = """
    Usage: memfit [analyze] [options] [FILE|DIR...]

    Reads logs from files, directories (recursively) or standard input; plain or gzip, by content.
    Detects how each was exported (CloudWatch, ECS, Kubernetes, Docker, Cloud Foundry, Heroku...), finds
    every JVM launch-memory failure and near miss, shows the arithmetic and recommends a memory size.

    Options:
      -f, --format FORMAT      text (default), json, markdown or html (one self-contained file)
          --platform NAME      ecs-fargate, ecs-ec2, kubernetes, cloud-foundry, heroku, docker, generic
                               (default: inferred from the input)
          --min-heap SIZE      the smallest heap worth starting with (default 128M)
          --current-memory SIZE
                               the container's current size, for alternatives that keep it
          --color WHEN         auto (default: on a terminal, unless NO_COLOR is set), always or never
          --title TEXT         title of the Markdown or HTML report
          --input-format NAME  read every input as NAME instead of detecting it: plain, json,
                               json-lines, insights-csv, cloudwatch-text, aws-logs-tail, s3-export,
                               cri, kubectl-describe
          --include GLOB       with directories: only files matching GLOB (repeatable; a GLOB
                               without "/" matches the file name, with "/" the path below the DIR)
          --exclude GLOB       skip files and directories matching GLOB (repeatable)
          --no-redact          quote log text as it is (by default AWS keys, passwords and tokens
                               in -D options, bearer tokens, JWTs and URL credentials are masked)
          --redact-accounts    also mask AWS account ids in ARNs
          --rules FILE         your own rules (JSON, see 'memfit help rules'), run after the built-in
                               catalogue on every line (repeatable)
      -h, --help               this help

    SIZE is digits with an optional K, M, G or T (binary units); plain digits are bytes.
    Exit status: 0 nothing to report, 1 a failure found, 2 only warnings, 64 usage error,
                 65 a --rules file is not valid,
                 66 an input could not be read and no failure was found in the others,
                 70 internal error, 74 the report could not be written.
    """

let calcHelp = """
    Usage: memfit calc --total-memory SIZE --loaded-class-count N [options]

    Prints the line the Paketo memory calculator would print for these inputs, then a short explanation.
    Flag names are those of the Cloud Foundry memory calculator.

    Options:
          --total-memory SIZE        memory the calculator sees (e.g. 616300K, 1G)
          --loaded-class-count N     loaded classes the calculator assumes
          --thread-count N           threads (default 250)
          --head-room PERCENT        headroom percentage (default 0)
          --jvm-options TEXT         user JVM options, as in JAVA_TOOL_OPTIONS (-Xss512k, -Xmx1G, ...)
      -f, --format FORMAT            text (default) or json: {"fits", "message", "jvmOptions"}
      -h, --help                     this help

    Exit status: 0 the JVM fits, 1 it does not, 64 usage error.
    """

/// Writes the whole text to stdout; false when it could not (a closed pipe, a full disk).
@discardableResult
func writeStdout(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// Help, the version and other short output: `.ok`, or `.ioError` (said on stderr) when stdout cannot take it
/// (`> /dev/full`, a closed pipe), as for every report.
func printText(_ text: String) -> ExitCode {
    guard writeStdout(text) else {
        writeStderr("memfit: the output could not be written to standard output")
        return .ioError
    }
    return .ok
}

/// One line on stderr. File names and arguments are quoted back, so control characters are removed first.
func writeStderr(_ text: String) {
    var text = Sanitizer.forTerminal(text) + "\n"
    text.withUTF8 { buffer in _ = write(2, buffer.baseAddress!, buffer.count) }
}

func usageError(_ message: String, help: String) -> ExitCode {
    writeStderr("memfit: \(message)")
    writeStderr("Run 'memfit \(help) --help' for usage.")
    return .usage
}

func parseSize(_ text: String?, option: String) throws(Arguments.UsageError) -> MemorySize? {
    guard let text else { return nil }
    guard let size = MemorySize(parsing: text, allowByteSuffix: true) else {
        let digits = text.filter(\.isNumber)
        if digits.count > 15 {
            throw Arguments.UsageError(message: "\(option): '\(text)' is too large (at most 64T)")
        }
        throw Arguments.UsageError(message: "\(option): '\(text)' is not a memory size (digits with K, M, G or T)")
    }
    guard size.isPlausible else { throw Arguments.UsageError(message: "\(option): '\(text)' is too large (at most 64T)") }
    return size
}

func parseInt(_ text: String?, option: String, minimum: Int, maximum: Int) throws(Arguments.UsageError) -> Int? {
    guard let text else { return nil }
    guard let value = Int(text), value >= minimum, value <= maximum else {
        throw Arguments.UsageError(
            message: "\(option): '\(text)' is not a whole number from \(minimum) to \(maximum)")
    }
    return value
}

func useColor(_ when: String?) throws(Arguments.UsageError) -> Bool {
    switch when ?? "auto" {
    case "always": return true
    case "never": return false
    case "auto":
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isatty(1) == 1
    default: throw Arguments.UsageError(message: "--color must be auto, always or never")
    }
}

/// `analyze`, and `scan` (the same, plus jobs, a time window, JSON lines, a per-source summary and baselines).
func runAnalyze(_ args: [String], scan: Bool = false) -> ExitCode {
    let parsed: Arguments
    var format: OutputFormat = .text
    var jsonLines = false
    var options = DiagnosisOptions()
    var inputFormat: InputFormat?
    var jobs = ProcessInfoLite.cores
    var window: TimeWindow?
    var baseline: Baseline?
    let color: Bool
    let command = scan ? "scan" : "analyze"
    do throws(Arguments.UsageError) {
        parsed = try Arguments(
            args,
            valued: Set(["--format", "--platform", "--min-heap", "--current-memory", "--color", "--title", "--input-format"]
                + (scan ? ["--jobs", "--since", "--until", "--baseline", "--write-baseline"] : [])),
            repeatable: ["--include", "--exclude", "--rules"],
            boolean: ["--help", "--no-redact", "--redact-accounts"], aliases: ["-f": "--format", "-h": "--help", "-j": "--jobs"])
        if parsed.has("--help") {
            return printText((scan ? scanHelp : analyzeHelp) + "\n")
        }
        let formatName = parsed.value("--format") ?? "text"
        if scan && formatName == "jsonl" {
            jsonLines = true
        } else if let f = OutputFormat(rawValue: formatName) {
            format = f
        } else {
            throw Arguments.UsageError(message: "--format must be text, json, markdown" + (scan ? ", html or jsonl" : " or html"))
        }
        if scan {
            jobs = try parseInt(parsed.value("--jobs"), option: "--jobs", minimum: 1, maximum: 256) ?? jobs
            guard !parsed.positional.isEmpty else {
                throw Arguments.UsageError(message: "scan needs at least one PATH ('-' for standard input)")
            }
            let now = ProcessInfoLite.nowMilliseconds
            func instant(_ option: String) throws(Arguments.UsageError) -> Int64? {
                guard let text = parsed.value(option) else { return nil }
                guard let ms = TimeWindow.instant(text, now: now) else {
                    throw Arguments.UsageError(
                        message: "\(option): '\(text)' is not a real date (2023-06-13), time (2023-06-13T15:00:00Z) "
                            + "or duration like 24h or 7d")
                }
                return ms
            }
            let since = try instant("--since"), until = try instant("--until")
            if let since, let until, since > until {
                throw Arguments.UsageError(message: "--since is later than --until: no line could count")
            }
            if since != nil || until != nil { window = TimeWindow(since: since, until: until) }
        }
        if let name = parsed.value("--platform") {
            guard let platform = Platform(rawValue: name) else {
                throw Arguments.UsageError(
                    message: "--platform must be one of \(Platform.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.platform = platform
        }
        if let minHeap = try parseSize(parsed.value("--min-heap"), option: "--min-heap") { options.minHeap = minHeap }
        options.currentMemory = try parseSize(parsed.value("--current-memory"), option: "--current-memory")
        color = try useColor(parsed.value("--color"))
        if let name = parsed.value("--input-format") {
            guard let format = InputFormat(rawValue: name) else {
                throw Arguments.UsageError(
                    message: "--input-format must be one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            inputFormat = format
        }
    } catch {
        return usageError(error.message, help: command)
    }
    var baselineError: InputError?
    if let path = parsed.value("--baseline") {
        do {
            baseline = try Baseline.load(path: path)
        } catch where error.reason == .notFound {
            // The first night has no baseline yet: everything is new, and --write-baseline starts one.
            writeStderr("memfit: \(path): no baseline yet, so every finding is new")
            baseline = Baseline()
        } catch {
            // Like an unreadable input: reported, and the findings are still all shown (none filtered out).
            baselineError = error
        }
    }

    let userRules: UserRules
    do {
        userRules = try UserRules.load(paths: parsed.values("--rules"))
    } catch {
        writeStderr("memfit: \(error)")
        return error.unreadable ? .noInput : .badRules
    }
    // Samples are part of a rule: a rule whose samples do not match is not used, whichever command reads it.
    let sampleProblems = userRules.checkSamples()
    guard sampleProblems.isEmpty else {
        for problem in sampleProblems { writeStderr("memfit: \(problem)") }
        return .badRules
    }

    let streamFailed = Locked(false)
    if let hint = InputFiles.terminalHint(paths: parsed.positional, stdinIsTerminal: isatty(0) == 1) { writeStderr(hint) }
    let paths = parsed.positional.isEmpty ? ["-"] : parsed.positional
    if InputFiles.repeatsStandardInput(paths) {
        writeStderr("memfit: '-' is given more than once; standard input is read once")
    }
    let files = InputFiles(include: parsed.values("--include"), exclude: parsed.values("--exclude"))
    var report: AnalysisReport
    do {
        if scan {
            // jsonl streams each input's findings in input order as soon as it is read, not after the whole scan.
            // A closed pipe or a full disk stops the scan (exit 74 below).
            var stream: (@Sendable (InputScan) -> Bool)?
            if jsonLines {
                let redactor = parsed.has("--no-redact") ? nil : try Redactor(accounts: parsed.has("--redact-accounts"))
                stream = { [options, baseline] scan in
                    var one = scan.report(options: options)
                    if let baseline { one = baseline.filter(one) }
                    if let redactor { one = redactor.redact(one) }
                    guard writeStdout(JSONReporter().lines(one.clippingEvidence())) else {
                        streamFailed.withLock { $0 = true }
                        return false
                    }
                    return true
                }
            }
            report = try ParallelScan(jobs: jobs, forcedFormat: inputFormat, window: window, userRules: userRules).run(
                paths: paths, files: files, options: options, onInput: stream)
            report.sourceSummary = true
        } else {
            let analyzer = try Analyzer(userRules: userRules)
            analyzer.forcedFormat = inputFormat
            report = analyzer.analyze(paths: paths, options: options, files: files)
        }
    } catch {
        writeStderr("memfit: internal error: \(error)")
        return .software
    }
    if let path = parsed.value("--write-baseline") {
        // Tonight's whole picture, before filtering against last night's.
        guard writeFile(path, Baseline(report: report).serialized()) else {
            writeStderr("memfit: \(path): the baseline could not be written")
            return .ioError
        }
    }
    if let baseline { report = baseline.filter(report) }
    if let baselineError { report.inputErrors.insert(baselineError, at: 0) }
    if !parsed.has("--no-redact") {
        do {
            report = try Redactor(accounts: parsed.has("--redact-accounts")).redact(report)
        } catch {
            writeStderr("memfit: internal error: \(error)")
            return .software
        }
    }
    report = report.clippingEvidence()
    for error in report.inputErrors { writeStderr("memfit: \(error)") }

    // jsonl has been written input by input already.
    if streamFailed.withLock({ $0 }) {
        writeStderr("memfit: the report could not be written to standard output")
        return .ioError
    }
    let rendered = jsonLines ? "" : format.reporter(color: color, title: parsed.value("--title")).render(report)
    guard writeStdout(rendered) else {
        writeStderr("memfit: the report could not be written to standard output")
        return .ioError
    }

    switch report.worstSeverity {
    case .failure?: return .failure
    case _ where !report.inputErrors.isEmpty: return .noInput
    case .warning?: return .warnings
    default: return .ok
    }
}

let diffHelp = """
    Usage: memfit diff [options] PASSING_BUILD_LOG FAILING_BUILD_LOG

    Compares two build logs: pack build, Maven spring-boot:build-image, Gradle bootBuildImage,
    kpack or lifecycle, with or without their "[INFO]  [creator]" prefixes. It lists buildpack ids
    and versions, the JRE, the lifecycle version, the builder image and digest, and the launch
    defaults ($BPL_JVM_THREAD_COUNT...), and marks what can change memory: a JVM vendor buildpack,
    the JRE, the Spring Boot buildpack, launch defaults.

    Options:
      -f, --format FORMAT   text (default), json or markdown
          --run LOG         a run log of the failing build (repeatable): names the suspect change
      -h, --help            this help

    Exit status: 0 no memory-relevant change, 2 a memory-relevant component changed,
                 64 usage error, 66 a build log could not be read or holds no buildpacks.
    """

func runDiff(_ args: [String]) -> ExitCode {
    let parsed: Arguments
    do throws(Arguments.UsageError) {
        parsed = try Arguments(
            args, valued: ["--format"], repeatable: ["--run"], boolean: ["--help"], aliases: ["-f": "--format", "-h": "--help"])
        if parsed.has("--help") {
            return printText(diffHelp + "\n")
        }
        guard parsed.positional.count == 2 else { throw Arguments.UsageError(message: "diff takes two build logs: PASSING FAILING") }
        guard ["text", "json", "markdown"].contains(parsed.value("--format") ?? "text") else {
            throw Arguments.UsageError(message: "--format must be text, json or markdown")
        }
    } catch {
        return usageError(error.message, help: "diff")
    }
    let parser: BuildLogParser
    do { parser = try BuildLogParser() } catch {
        writeStderr("memfit: internal error: \(error)")
        return .software
    }
    var logs: [BuildLog] = []
    for path in parsed.positional {
        do {
            var stream = try InputStream.open(path)
            defer { stream.close() }
            logs.append(try parser.parse(&stream, name: path))
        } catch {
            writeStderr("memfit: \(error)")
            return .noInput
        }
    }
    for (log, path) in zip(logs, parsed.positional) where log.buildpacks.isEmpty {
        writeStderr("memfit: \(path): no buildpacks found; is it a build log (pack, Maven, Gradle, kpack)?")
    }
    let diff = BuildDiff(passing: logs[0], failing: logs[1])
    let (passing, failing) = (parsed.positional[0], parsed.positional[1])
    // Run logs of the failing build: the diagnosis names the suspect change.
    var suspect: String?
    if !parsed.values("--run").isEmpty, let analyzer = try? Analyzer() {
        let report = analyzer.analyze(paths: parsed.values("--run"), options: DiagnosisOptions())
        for error in report.inputErrors { writeStderr("memfit: \(error)") }
        suspect = diff.suspect(runFindings: report.findings)
    }
    let output: String
    switch parsed.value("--format") ?? "text" {
    case "json": output = DiffReport.json(diff, passing: passing, failing: failing, suspect: suspect)
    case "markdown": output = DiffReport.markdown(diff, passing: passing, failing: failing, suspect: suspect)
    default: output = DiffReport.text(diff, passing: passing, failing: failing, suspect: suspect)
    }
    guard writeStdout(output) else { return .ioError }
    // A log without buildpacks is not a build log (or one cut before DETECTING): the diff says little, so say so.
    if logs.contains(where: { $0.buildpacks.isEmpty }) { return .noInput }
    return diff.hasMemoryRelevantChange ? .warnings : .ok
}

let scanHelp = """
    Usage: memfit scan [options] PATH...

    The nightly job: reads every file under the PATHs (plain or gzip) on several threads and reports
    as `analyze` does, with a summary per source. The output does not depend on --jobs.

    Options (besides those of `memfit help analyze`):
      -j, --jobs N             threads (default: the number of cores)
          --since WHEN         only lines timestamped at or after WHEN: a date (2023-06-13), a time
                               (2023-06-13T15:00:00Z) or a duration back from now (24h, 7d, 90m);
                               lines without a timestamp always count
          --until WHEN         only lines timestamped at or before WHEN
      -f, --format FORMAT      text (default), json, markdown, html, or jsonl (one finding per line,
                               per input, streamed in input order as each input is read)
          --baseline FILE      report only findings that are new or worse than in FILE
          --write-baseline FILE
                               write tonight's findings to FILE, for the next night's --baseline
      -h, --help               this help

    Exit status: as for analyze.
    """

/// Writes a whole file; false when it could not.
func writeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var text = text
    return text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// What the front end needs from the system, without Foundation.
enum ProcessInfoLite {
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
    static var nowMilliseconds: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

let queryHelp = """
    Usage: memfit query insights [--log-group NAME]... [--limit N] [--since WHEN]

    Prints a CloudWatch Logs Insights query that finds every line memfit understands, with an
    `aws logs start-query` recipe. Export the results (CSV or JSON) and give them to memfit.

    Options:
          --log-group NAME   a log group for the recipe (repeatable)
          --limit N          rows to return (default 10000, the Insights maximum)
          --since WHEN       start of the window for the recipe, as `date -d` takes it
                             (default "7 days ago")
      -h, --help             this help
    """

func runQuery(_ args: [String]) -> ExitCode {
    do throws(Arguments.UsageError) {
        let parsed = try Arguments(
            args, valued: ["--limit", "--since"], repeatable: ["--log-group"], boolean: ["--help"], aliases: ["-h": "--help"])
        if parsed.has("--help") {
            return printText(queryHelp + "\n")
        }
        guard parsed.positional == ["insights"] else { throw Arguments.UsageError(message: "query takes one target: insights") }
        let limit = try parseInt(parsed.value("--limit"), option: "--limit", minimum: 1, maximum: 10_000) ?? 10_000
        let recipe = InsightsQuery.recipe(
            logGroups: parsed.values("--log-group"), limit: limit, since: parsed.value("--since") ?? "7 days ago")
        return writeStdout(recipe) ? .ok : .ioError
    } catch {
        return usageError(error.message, help: "query")
    }
}

func runCalc(_ args: [String]) -> ExitCode {
    let calculator: MemoryCalculator
    let json: Bool
    do throws(Arguments.UsageError) {
        let parsed = try Arguments(
            args, valued: ["--total-memory", "--loaded-class-count", "--thread-count", "--head-room", "--jvm-options", "--format"],
            boolean: ["--help"], aliases: ["-f": "--format", "-h": "--help"])
        if parsed.has("--help") {
            return printText(calcHelp + "\n")
        }
        guard parsed.positional.isEmpty else { throw Arguments.UsageError(message: "calc takes no file arguments") }
        guard let total = try parseSize(parsed.value("--total-memory"), option: "--total-memory") else {
            throw Arguments.UsageError(message: "--total-memory must be specified")
        }
        guard total.bytes >= 1024 else { throw Arguments.UsageError(message: "--total-memory must be at least 1K") }
        guard let classes = try parseInt(
            parsed.value("--loaded-class-count"), option: "--loaded-class-count", minimum: 0, maximum: 1_000_000_000)
        else {
            throw Arguments.UsageError(message: "--loaded-class-count must be specified")
        }
        let threads = try parseInt(parsed.value("--thread-count"), option: "--thread-count", minimum: 1, maximum: 1_000_000)
            ?? MemoryCalculator.defaultThreadCount
        let headRoom = try parseInt(parsed.value("--head-room"), option: "--head-room", minimum: 0, maximum: 100) ?? 0
        let format = parsed.value("--format") ?? "text"
        guard format == "text" || format == "json" else { throw Arguments.UsageError(message: "--format must be text or json") }
        json = format == "json"
        calculator = MemoryCalculator(
            totalMemory: total, loadedClassCount: classes, threadCount: threads, headRoomPercent: headRoom,
            jvmOptions: parsed.value("--jvm-options") ?? "")
    } catch {
        return usageError(error.message, help: "calc")
    }
    let outcome = calculator.calculate()
    guard writeStdout(json ? CalcReport.json(outcome) : CalcReport.text(outcome, calculator)) else {
        writeStderr("memfit: the result could not be written to standard output")
        return .ioError
    }
    if case .fits = outcome { return .ok }
    return .failure
}

// A closed pipe (`memfit … | head`) is a write error to report as exit 74, not a signal to die of.
signal(SIGPIPE, SIG_IGN)

var arguments = Array(CommandLine.arguments.dropFirst())
let exitCode: ExitCode
switch arguments.first {
case "calc":
    exitCode = runCalc(Array(arguments.dropFirst()))
case "diff":
    exitCode = runDiff(Array(arguments.dropFirst()))
case "analyze":
    exitCode = runAnalyze(Array(arguments.dropFirst()))
case "scan":
    exitCode = runAnalyze(Array(arguments.dropFirst()), scan: true)
case "query":
    exitCode = runQuery(Array(arguments.dropFirst()))
case "rules":
    exitCode = runRules(Array(arguments.dropFirst()))
case "help":
    switch arguments.dropFirst().first {
    case "calc": exitCode = printText(calcHelp + "\n")
    case "diff": exitCode = printText(diffHelp + "\n")
    case "scan": exitCode = printText(scanHelp + "\n")
    case "query": exitCode = printText(queryHelp + "\n")
    case "rules": exitCode = printText(rulesHelp + "\n")
    case "analyze": exitCode = printText(analyzeHelp + "\n")
    case nil, "help", "--help": exitCode = printText(mainHelp + "\n")
    case let other?:
        writeStderr("memfit: no such command: \(other) (commands: analyze, scan, calc, diff, query, rules, help)")
        exit(ExitCode.usage.rawValue)
    }
case "--help", "-h":
    exitCode = printText(mainHelp + "\n")
case "--version":
    exitCode = printText("memfit \(MemfitVersion.current)\n")
default:
    // A first argument that is not a file but looks like a mistyped command ("scna") is a usage error, not a
    // missing file followed by analyze-mode on the rest.
    if let first = arguments.first, !first.hasPrefix("-"), access(first, F_OK) != 0,
       let command = CommandTypo.suggestion(for: first) {
        exitCode = usageError("'\(first)' is neither a command nor a file; did you mean 'memfit \(command)'?", help: command)
    } else {
        exitCode = runAnalyze(arguments)
    }
}
exit(exitCode.rawValue)
