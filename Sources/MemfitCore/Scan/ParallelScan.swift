import Dispatch
import Synchronization

/// `memfit scan`: many inputs read on several threads, each with its own Analyzer (PCRE2 match data is
/// per thread), then merged in input order so the report is the same whatever the number of jobs.
public struct ParallelScan: Sendable {
    public var jobs: Int
    public var forcedFormat: InputFormat?
    /// Only facts from lines timestamped inside this window count; lines without a timestamp always count.
    public var window: TimeWindow?

    public init(jobs: Int, forcedFormat: InputFormat? = nil, window: TimeWindow? = nil) {
        self.jobs = max(1, jobs)
        self.forcedFormat = forcedFormat
        self.window = window
    }

    public func run(paths: [String], files: InputFiles, options: DiagnosisOptions) throws(PCRE2Pattern.CompileError) -> AnalysisReport {
        let (expanded, walkErrors) = files.expand(paths)
        let results = Mutex<[InputScan?]>(Array(repeating: nil, count: expanded.count))
        let next = Atomic<Int>(0)
        let failure = Mutex<PCRE2Pattern.CompileError?>(nil)
        let settings = (format: forcedFormat, window: window)
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, expanded.count))) { _ in
            let analyzer: Analyzer
            do throws(PCRE2Pattern.CompileError) {
                analyzer = try Analyzer()
            } catch {
                failure.withLock { $0 = error }
                return
            }
            analyzer.forcedFormat = settings.format
            analyzer.window = settings.window
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < expanded.count else { return }
                let scan = analyzer.read(expanded[i])
                results.withLock { $0[i] = scan }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var merged = InputScan()
        merged.errors = walkErrors
        for scan in results.withLock({ $0 }) { if let scan { merged.append(scan) } }
        return merged.report(options: options)
    }
}

/// `--since` / `--until`: ISO dates or times, or durations back from now (`24h`, `7d`, `90m`).
public struct TimeWindow: Sendable, Equatable {
    public var since: Int64?
    public var until: Int64?

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    /// Epoch milliseconds for `2023-06-13`, `2023-06-13T15:00:00Z`, or `24h`/`7d`/`90m` before `now`.
    public static func instant(_ text: String, now: Int64) -> Int64? {
        if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            let ms: Int64? = unit == "m" ? 60_000 : unit == "h" ? 3_600_000 : unit == "d" ? 86_400_000 : nil
            if let ms { return now - amount * ms }
        }
        if text.count == 10, let ms = LogTimestamp.milliseconds(text + "T00:00:00Z") { return ms }
        return LogTimestamp.milliseconds(text)
    }

    func contains(_ timestamp: String?) -> Bool {
        guard let timestamp, let ms = LogTimestamp.milliseconds(timestamp) else { return true }
        if let since, ms < since { return false }
        if let until, ms > until { return false }
        return true
    }
}
