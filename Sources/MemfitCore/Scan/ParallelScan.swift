import Dispatch
import Glibc

/// `memfit scan`: many inputs read on several threads, each with its own Analyzer (PCRE2 match data is
/// per thread), then merged in input order so the report is the same whatever the number of jobs.
public struct ParallelScan: Sendable {
    public var jobs: Int
    public var forcedFormat: InputFormat?
    /// Only facts from lines timestamped inside this window count; lines without a timestamp always count.
    public var window: TimeWindow?
    public var userRules: UserRules

    public init(jobs: Int, forcedFormat: InputFormat? = nil, window: TimeWindow? = nil, userRules: UserRules = UserRules()) {
        self.jobs = max(1, jobs)
        self.forcedFormat = forcedFormat
        self.window = window
        self.userRules = userRules
    }

    /// At most this many inputs per job are read ahead of the first unfinished one, so a slow input among many
    /// small ones holds back a bounded number of results, not all of them.
    static let readAheadPerJob = 8

    /// Reads every input and merges them in input order. `onInput`, when given, is called with each input's own
    /// scan in input order as soon as it and all inputs before it are done (`--format jsonl` streams from it);
    /// calls never overlap. When it returns false (its output is gone), no further input is started.
    public func run(
        paths: [String], files: InputFiles, options: DiagnosisOptions, onInput: (@Sendable (InputScan) -> Bool)? = nil
    ) throws(PCRE2Pattern.CompileError) -> AnalysisReport {
        let (expanded, walkErrors) = files.expand(paths)
        struct State {
            var next = 0  // the next input to claim
            var frontier = 0  // the first input not yet merged
            var done: [Int: InputScan] = [:]  // finished inputs waiting for the ones before them
            var merged = InputScan()
            var stopped = false
        }
        let state = Locked(State())
        state.withLock { $0.merged = InputScan(walkErrors: walkErrors) }
        let failure = Locked<PCRE2Pattern.CompileError?>(nil)
        let settings = (format: forcedFormat, window: window, ahead: jobs * ParallelScan.readAheadPerJob, rules: userRules)
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, expanded.count))) { _ in
            let analyzer: Analyzer
            do throws(PCRE2Pattern.CompileError) {
                analyzer = try Analyzer(userRules: settings.rules)
            } catch {
                failure.withLock { $0 = error }
                return
            }
            analyzer.forcedFormat = settings.format
            analyzer.window = settings.window
            while true {
                // nil: too far ahead, wait for the frontier; -1: nothing left.
                let claimed: Int? = state.withLock { s in
                    guard s.next < expanded.count, !s.stopped else { return -1 }
                    guard s.next < s.frontier + settings.ahead else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let i = claimed else { usleep(200); continue }
                guard i >= 0 else { return }
                let scan = analyzer.read(expanded[i])
                state.withLock { s in
                    s.done[i] = scan
                    while let ready = s.done.removeValue(forKey: s.frontier) {
                        if let onInput, !s.stopped, !onInput(ready) { s.stopped = true }
                        s.merged.append(ready)
                        s.frontier += 1
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return state.withLock { $0.merged }.report(options: options)
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

    /// Epoch milliseconds for `2023-06-13`, `2023-06-13T15:00:00Z`, or `24h`/`7d`/`90m` before `now`; nil for a
    /// date that does not exist (`2023-02-30`) and for a duration reaching back before year 1, so a typo is a
    /// usage error rather than a window that silently filters everything (or an overflow trap).
    public static func instant(_ text: String, now: Int64) -> Int64? {
        if let unit = text.last, unit == "m" || unit == "h" || unit == "d" {
            guard let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
            let unitMillis: Int64 = unit == "m" ? 60_000 : unit == "h" ? 3_600_000 : 86_400_000
            let (back, overflow) = amount.multipliedReportingOverflow(by: unitMillis)
            guard !overflow else { return nil }
            let (ms, under) = now.subtractingReportingOverflow(back)
            guard !under, ms >= earliest else { return nil }
            return ms
        }
        if text.count == 10, let ms = LogTimestamp.milliseconds(text + "T00:00:00Z") { return ms }
        return LogTimestamp.milliseconds(text)
    }

    /// 0001-01-01T00:00:00Z, the earliest instant a log timestamp can have.
    static let earliest: Int64 = -62_135_596_800_000

    func contains(_ timestamp: String?) -> Bool {
        guard let timestamp, let ms = LogTimestamp.milliseconds(timestamp) else { return true }
        if let since, ms < since { return false }
        if let until, ms > until { return false }
        return true
    }
}
