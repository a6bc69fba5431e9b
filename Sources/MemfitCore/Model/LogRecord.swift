/// Stage 2 output: one log message with what its line said about where it came from.
public struct LogRecord: Sendable {
    /// The input's display name ("<stdin>" for standard input).
    public var input: String
    /// 1-based physical line in the input where the record is (or ends, for multi-line documents).
    public var line: Int
    public var timestamp: String?
    /// Log stream, container, pod or dyno, when a prefix or a field names it.
    public var source: String?
    /// The platform the record's shape points to (a compose prefix means Docker, and so on), and why.
    public var platformHint: Platform?
    public var platformReason: String?
    /// Structured facts a document gave alongside the text (ECS container exit code and memory, a pod's limit).
    public var attributes: RecordAttributes?
    /// The message with timestamps, prefixes, escape sequences and control characters removed.
    public var message: String
    /// True when the physical line was longer than the reader's cap and was cut.
    public var capped: Bool

    public init(
        input: String, line: Int, timestamp: String? = nil, source: String? = nil, platformHint: Platform? = nil,
        platformReason: String? = nil, attributes: RecordAttributes? = nil, message: String, capped: Bool = false
    ) {
        self.input = input
        self.line = line
        self.timestamp = timestamp
        self.source = source
        self.platformHint = platformHint
        self.platformReason = platformReason
        self.attributes = attributes
        self.message = message
        self.capped = capped
    }
}

/// What a structured document says next to a message.
public struct RecordAttributes: Sendable, Hashable {
    public var exitCode: Int?
    /// The memory limit that applied: the container's, else the task's or pod's.
    public var memoryLimitBytes: Int64?
    /// Where that limit came from: "container memory 512 MiB", "Limits: memory: 512Mi".
    public var memoryLimitSource: String?

    public init(exitCode: Int? = nil, memoryLimitBytes: Int64? = nil, memoryLimitSource: String? = nil) {
        self.exitCode = exitCode
        self.memoryLimitBytes = memoryLimitBytes
        self.memoryLimitSource = memoryLimitSource
    }
}

/// What a decoder knows about a record before the cleaner looks at its text.
public struct RecordContext: Sendable {
    public var timestamp: String?
    public var source: String?
    public var platform: Platform?
    public var platformReason: String?
    public var attributes: RecordAttributes?

    public init(
        timestamp: String? = nil, source: String? = nil, platform: Platform? = nil, platformReason: String? = nil,
        attributes: RecordAttributes? = nil
    ) {
        self.timestamp = timestamp
        self.source = source
        self.platform = platform
        self.platformReason = platformReason
        self.attributes = attributes
    }
}
