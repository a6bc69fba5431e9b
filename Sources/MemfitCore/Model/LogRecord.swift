/// Stage 2 output: one log message with what its line said about where it came from.
public struct LogRecord: Sendable {
    /// The input's display name ("<stdin>" for standard input).
    public var input: String
    /// 1-based physical line in the input.
    public var line: Int
    public var timestamp: String?
    /// Log stream, container, pod or dyno, when a prefix names it.
    public var source: String?
    /// The platform the line's shape points to (a compose prefix means Docker, and so on).
    public var platformHint: Platform?
    /// The message with timestamps, prefixes, escape sequences and control characters removed.
    public var message: String
    /// True when the physical line was longer than the reader's cap and was cut.
    public var capped: Bool
}
