import CZlib

/// JSON inputs, streamed: every object is seen when it closes, with its scalar members (and those of its
/// object-valued members, lifted as `State.OOMKilled`), and the members its ancestors had so far. Nothing holds
/// more than one event at a time, so a 2 GB `filter-log-events` document is decoded in constant memory.
///
/// Shapes recognised (log-formats.md §1–§8, §10.3): CloudWatch events (`message` with `logStreamName`,
/// `timestamp`), Logs Insights JSON (`@message`, `@logStream`) and `get-query-results` rows (`field`/`value`),
/// subscription payloads (`logEvents` under `logStream`, `CONTROL_MESSAGE` skipped, Lambda's base64+gzip `data`),
/// Firehose objects (`}{`-joined), FireLens records inside messages (`log`, `container_name`), Docker json-file
/// lines (`log`, `stream`, `time`; partial lines joined), `docker inspect` (`State.OOMKilled`), and ECS
/// `describe-tasks` / `describe-services`.
struct JSONLogDecoder {
    /// Nested payloads (Lambda `data`) are decoded at most this deep.
    var nesting = 0
    /// The physical line the source starts on (JSON lines are decoded one line at a time).
    var firstLine = 1
    /// Spans documents: partial Docker lines, query rows, tasks' containers.
    var state = State()
    static let maxScalarBytes = 8 << 20
    static let maxNestedPayload = 16 << 20
    /// Nested payloads of one input may inflate to this much, plus `nestedBudgetRatio` times the base64 text the
    /// outer document held: a few KB of payloads nested in payloads once took ten minutes to inflate.
    static let nestedBudgetFloor: Int64 = 64 << 20
    static let nestedBudgetRatio: Int64 = 100
    static let maxHeldContainers = 1_024
    /// A get-query-results row has a few fields (@timestamp, @message, @logStream, @log, @ptr).
    static let maxRowFields = 64

    struct Frame {
        var isObject: Bool
        /// The member name this container is the value of (nil for array elements and top-level values).
        var key: String?
        var fields: [String: String] = [:]
        var pendingKey: String?
    }

    /// State that spans objects: the current task's containers, query-result rows, Docker partial lines.
    final class State {
        var containers: [[String: String]] = []
        var row: [String: String] = [:]
        var partialLines: [String: (bytes: CappedBytes, line: Int, time: String?)] = [:]
        var records = 0
        var shape: String?
        /// Events waiting for the object that holds them to close, and that object's depth.
        var heldEvents: [(message: String, fields: [String: String], line: Int)] = []
        var heldBytes = 0
        var heldDepth = 0
        var events = EventDeduper()
    }

    static let maxHeldEvents = 10_000
    /// Held messages are also bounded in bytes (10,000 events of 200 KB each would be 2 GB).
    static let maxHeldBytes = 16 << 20

    /// Most Docker streams with an unfinished line kept at once; the oldest is flushed past it.
    static let maxPartialStreams = 64

    /// Decodes a whole input; after a syntax error the error is noted (`processor.recoveredError`) and the rest of
    /// the input, from the line the error is on, is read as plain lines, so a launch line after it is still found.
    func decodeRecovering<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        var outer = stats
        defer { stats = outer }
        try decode(&source, into: processor) { (error, rest, line) throws(InputError) in
            processor.recoveredError = processor.recoveredError ?? error
            let before = processor.records ?? 0
            var plain = LineReader.Stats()
            plain.lines = line - 1
            defer {
                processor.bytesRead += plain.bytes
                outer.lines = plain.lines
                outer.cappedLines += plain.cappedLines
                processor.records = before + plain.lines - (line - 1)
            }
            try PlainLinesDecoder().decode(&rest, reader: reader, stats: &plain, into: processor)
        }
    }

    /// Decodes one input (or, for JSON lines, one line); `finish` flushes what spans documents. With `recover`, a
    /// syntax error hands it the error, the unread input from the error's line, and that line's number.
    func decode<Source: ByteSource>(
        _ source: inout Source, into processor: RecordProcessor, finish: Bool = true, bufferBytes: Int = 64 * 1024,
        recover: ((InputError, inout PrefixedSource<Source>, Int) throws(InputError) -> Void)? = nil
    ) throws(InputError) {
        let state = self.state
        let recordsBefore = state.records
        defer {
            if finish { flushPartials(state, processor) }
            processor.records = (processor.records ?? 0) + state.records - recordsBefore
            processor.shape = processor.shape ?? state.shape
        }
        var tokenizer = JSONTokenizer(source: source, bufferBytes: bufferBytes)
        defer { tokenizer.release() }
        var frames: [Frame] = []
        var scalarBytes = 0
        do {
            while let token = try tokenizer.next() {
                switch token {
                case .objectStart, .arrayStart:
                    let key = frames.last.flatMap { $0.isObject ? $0.pendingKey : nil }
                    if frames.count > 0 { frames[frames.count - 1].pendingKey = nil }
                    frames.append(Frame(isObject: token == .objectStart, key: key))
                case .key(let key):
                    frames[frames.count - 1].pendingKey = key
                case .string(let value):
                    if frames.last?.isObject == false {
                        // A string in an array (`--query 'events[].message'`): a message of its own.
                        element(value, line: firstLine + tokenizer.line - 1, processor: processor, state: state)
                    }
                    if !store(value, in: &frames, budget: &scalarBytes) {
                        // Past the member cap (an object of hundreds of fields): a launch line must still be seen.
                        overflowMember(value, line: firstLine + tokenizer.line - 1, processor: processor, state: state)
                    }
                case .number(let value):
                    _ = store(value, in: &frames, budget: &scalarBytes)
                case .bool(let value):
                    _ = store(value ? "true" : "false", in: &frames, budget: &scalarBytes)
                case .null:
                    if frames.count > 0 { frames[frames.count - 1].pendingKey = nil }
                case .objectEnd, .arrayEnd:
                    let frame = frames.removeLast()
                    scalarBytes -= frame.fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
                    let line = firstLine + tokenizer.line - 1
                    if frame.isObject {
                        // Lift a member object's scalars into its parent: `"State": {"OOMKilled": true}` → `State.OOMKilled`.
                        if let key = frame.key, frames.last?.isObject == true, frame.fields.count <= 64 {
                            for (name, value) in frame.fields where value.utf8.count <= 4096 {
                                lift(key + "." + name, value, into: &frames[frames.count - 1], budget: &scalarBytes)
                            }
                        }
                        object(frame, ancestors: frames, line: line, state: state, processor: processor)
                    } else {
                        arrayEnded(frame, ancestors: frames, line: line, state: state, processor: processor)
                    }
                }
            }
        } catch {
            processor.bytesRead += tokenizer.offset
            processor.cappedStrings += tokenizer.stringsCapped
            switch error {
            case .input(let inputError): throw inputError
            case .syntax(let syntax):
                let error = InputError(
                    input: processor.input, reason: .invalidFormat, detail: "invalid JSON: \(syntax.message)",
                    offset: syntax.offset)
                guard let recover else { throw error }
                let rest = tokenizer.remainder()
                processor.bytesRead = processor.bytesRead - tokenizer.offset + rest.offset
                if finish { flushPartials(state, processor) }
                processor.records = (processor.records ?? 0) + state.records - recordsBefore
                state.records = recordsBefore
                var restSource = PrefixedSource(prefix: rest.bytes, base: rest.source)
                try recover(error, &restSource, firstLine + rest.line - 1)
                return
            }
        }
        processor.bytesRead += tokenizer.offset
        processor.cappedStrings += tokenizer.stringsCapped
    }

    /// Keeps an object's scalar member, within the budget (keys count too; a repeated key replaces its value).
    /// False when an object member had to be left out.
    @discardableResult
    private func store(_ value: String, in frames: inout [Frame], budget: inout Int) -> Bool {
        guard let last = frames.indices.last else { return true }
        defer { frames[last].pendingKey = nil }
        guard frames[last].isObject, let key = frames[last].pendingKey else { return true }
        return lift(key, value, into: &frames[last], budget: &budget)
    }

    @discardableResult
    private func lift(_ key: String, _ value: String, into frame: inout Frame, budget: inout Int) -> Bool {
        let old = frame.fields[key].map { key.utf8.count + $0.utf8.count } ?? 0
        let new = key.utf8.count + value.utf8.count
        guard budget - old + new <= JSONLogDecoder.maxScalarBytes, old > 0 || frame.fields.count < 256 else { return false }
        budget += new - old
        frame.fields[key] = value
        return true
    }

    /// A string member left out of a full object: matched on its own, as a member of an unknown shape is.
    private func overflowMember(_ value: String, line: Int, processor: RecordProcessor, state: State) {
        var text = value
        guard text.withUTF8({ processor.prefilter.matches($0) }) else { return }
        state.records += 1
        processor.message(value, number: line, context: RecordContext())
    }

    /// A string array element that holds a launch line is matched as a message.
    private func element(_ value: String, line: Int, processor: RecordProcessor, state: State) {
        var text = value
        let candidate = text.withUTF8 { processor.prefilter.matches($0) }
        guard candidate else { return }
        state.records += 1
        state.shape = state.shape ?? "json-strings"
        processor.message(value, number: line, context: RecordContext())
    }

    // MARK: shapes

    private func object(_ frame: Frame, ancestors: [Frame], line: Int, state: State, processor: RecordProcessor) {
        let f = frame.fields
        let parentKey = ancestors.last.flatMap { $0.isObject ? nil : $0.key }  // the array this object is in

        // Events held back until this object closed (its stream name or message type came after them): now they
        // can be attributed, or skipped for a CONTROL_MESSAGE.
        if !state.heldEvents.isEmpty && ancestors.count == state.heldDepth {
            let held = state.heldEvents
            state.heldEvents = []
            state.heldBytes = 0
            if f["messageType"] != "CONTROL_MESSAGE" {
                for e in held { event(e.message, fields: e.fields, ancestors: ancestors + [frame], line: e.line, state: state, processor: processor) }
            }
        }

        // Lambda subscription wrapper: {"awslogs": {"data": "<base64 of gzip>"}}
        if frame.key == "awslogs", let data = f["data"] {
            state.shape = state.shape ?? "cloudwatch-lambda-awslogs"
            processor.shape = processor.shape ?? state.shape
            decodeNested(base64: data, line: line, processor: processor, reportingErrors: true)
            return
        }
        // ECS describe-tasks: containers close before their task.
        // Only a container with a reason or a non-zero exit code can be reported, and a task has at most 10: an array of
        // 900,000 "containers" once grew memory by 500 MB.
        if parentKey == "containers" {
            if f["reason"] != nil || f["exitCode"].map({ $0 != "0" }) == true,
               state.containers.count < JSONLogDecoder.maxHeldContainers {
                state.containers.append(f)
            } else if f["exitCode"] != nil {
                state.records += 1  // a clean exit is a record read, with nothing to report
            }
            return
        }
        if parentKey == "tasks", f["taskArn"] != nil || f["launchType"] != nil {
            ecsTask(f, containers: state.containers, line: line, state: state, processor: processor)
            state.containers.removeAll()
            return
        }
        // A raw EventBridge "ECS Task State Change" (log-formats.md §8.6): its `detail` is a describe-tasks task.
        if frame.key == "detail", f["taskArn"] != nil {
            ecsTask(f, containers: state.containers, line: line, state: state, processor: processor,
                    origin: "an EventBridge ECS Task State Change")
            state.containers.removeAll()
            return
        }
        // get-query-results: rows of {"field", "value"} pairs, emitted when the row's array closes.
        if f.count <= 2, let field = f["field"], f.keys.allSatisfy({ $0 == "field" || $0 == "value" }) {
            if state.row[field] != nil || state.row.count < JSONLogDecoder.maxRowFields { state.row[field] = f["value"] ?? "" }
            return
        }
        // docker inspect
        if f["State.OOMKilled"] != nil || f["State.ExitCode"] != nil {
            dockerInspect(f, line: line, state: state, processor: processor)
            return
        }
        guard let message = f["message"] ?? f["@message"] ?? f["log"] else {
            fallback(f, line: line, state: state, processor: processor)
            return
        }
        // Subscription payloads: control messages carry no log events.
        if ancestors.contains(where: { $0.fields["messageType"] == "CONTROL_MESSAGE" }) { return }
        // With keys sorted (jq -S), "logEvents" and "events" come before "logStream" and "serviceName": hold such
        // events (a bounded number) until the object that holds them closes. A subscription payload is small, so its
        // logEvents are held even at the top; "events" only below it (a filter-log-events document can be huge).
        if let holder = ancestors.lastIndex(where: { $0.isObject }), parentKey == "logEvents" || (parentKey == "events" && holder > 0),
           ancestors[holder].fields["logStream"] == nil, ancestors[holder].fields["serviceName"] == nil,
           ancestors[holder].fields["messageType"] == nil, state.heldEvents.count < JSONLogDecoder.maxHeldEvents,
           state.heldBytes + message.utf8.count <= JSONLogDecoder.maxHeldBytes {
            state.heldDepth = holder
            state.heldEvents.append((message, f, line))
            state.heldBytes += message.utf8.count
            return
        }
        event(message, fields: f, ancestors: ancestors, line: line, state: state, processor: processor)
    }

    private func arrayEnded(_ frame: Frame, ancestors: [Frame], line: Int, state: State, processor: RecordProcessor) {
        guard !state.row.isEmpty else { return }
        let row = state.row
        state.row = [:]
        if state.shape == nil { state.shape = "insights-query-results" }
        event(row["@message"] ?? "", fields: row, ancestors: ancestors, line: line, state: state, processor: processor)
    }

    private func event(
        _ message: String, fields f: [String: String], ancestors: [Frame], line: Int, state: State, processor: RecordProcessor
    ) {
        var context = RecordContext(platform: .ecsFargate)
        context.timestamp = f["timestamp"] ?? f["@timestamp"] ?? f["time"] ?? f["createdAt"]
        context.source = f["logStreamName"] ?? f["@logStream"] ?? f["container_name"] ?? f["ecs_task_arn"]
            ?? ancestors.lazy.compactMap { $0.fields["logStream"] ?? $0.fields["serviceName"] }.last
        let shape: String
        if f["log"] != nil && f["message"] == nil && f["@message"] == nil {
            if f["container_name"] != nil || f["ecs_task_arn"] != nil {
                shape = "firelens"
                context.platformReason = "FireLens records"
            } else {
                shape = "docker-json-file"
                context.platform = .docker
                context.platformReason = "Docker json-file lines"
            }
        } else if f["@message"] != nil {
            shape = "insights-json"
            context.platformReason = "a CloudWatch Logs Insights export"
        } else if ancestors.contains(where: { $0.fields["logGroup"] != nil }) {
            shape = "cloudwatch-subscription"
            context.platformReason = "a CloudWatch Logs subscription payload"
        } else if ancestors.contains(where: { $0.fields["serviceName"] != nil }) {
            shape = "ecs-describe-services"
            context.platformReason = "aws ecs describe-services output"
        } else {
            shape = f["logStreamName"] != nil ? "cloudwatch-filter-log-events" : "cloudwatch-get-log-events"
            context.platformReason = "aws logs JSON output"
        }
        if state.shape == nil { state.shape = shape }
        var text = message
        // An EventBridge "ECS Task State Change" archived to CloudWatch Logs (log-formats.md §8.6): its `detail` is a
        // describe-tasks task, read as one.
        if text.first == "{", text.contains("ECS Task State Change"), let change = JSONLogDecoder.taskStateChange(text) {
            ecsTask(change.task, containers: change.containers, line: line, state: state, processor: processor,
                    origin: "an EventBridge ECS Task State Change")
            return
        }
        // The platform the stream name or the record's metadata gives (log-formats.md §8.1, §8.2, §10.6).
        if let (platform, reason) = Platform.fromLogStream(context.source) {
            context.platform = platform
            context.platformReason = reason
        }
        if let (platform, reason) = Platform.fromCloudWatchRecord(f) {
            context.platform = platform
            context.platformReason = reason
            if platform == .kubernetes { context.source = JSONLogDecoder.podSource(f) ?? context.source }
        }
        // FireLens: the CloudWatch message is itself a JSON record whose `log` is the application's line.
        if text.first == "{", text.contains("\"log\""), let inner = JSONLogDecoder.smallObject(text), let log = inner["log"] {
            text = log
            context.source = inner["container_name"] ?? inner["ecs_task_arn"] ?? context.source
            context.platformReason = "FireLens records"
            if let (platform, reason) = Platform.fromCloudWatchRecord(inner) {
                context.platform = platform
                context.platformReason = reason
                if platform == .kubernetes { context.source = JSONLogDecoder.podSource(inner) ?? context.source }
            }
        }
        // Docker json-file: a line longer than 16 KiB arrives in pieces without the trailing newline.
        if f["log"] != nil, f["message"] == nil, let stream = f["stream"] {
            let key = (context.source ?? "") + "\u{0}" + stream
            if !text.hasSuffix("\n") {
                if state.partialLines[key] == nil && state.partialLines.count >= JSONLogDecoder.maxPartialStreams,
                   let oldest = state.partialLines.min(by: { $0.value.line < $1.value.line }) {
                    state.partialLines.removeValue(forKey: oldest.key)
                    state.records += 1
                    processor.message(oldest.value.bytes.string(), number: oldest.value.line, context: context)
                }
                // In place: the dictionary must not copy the bytes on every piece.
                var piece = text
                piece.withUTF8 { bytes in
                    state.partialLines[key, default: (CappedBytes(limit: LineReader.defaultMaxLineBytes), line, context.timestamp)]
                        .bytes.append(UnsafeRawBufferPointer(bytes))
                }
                return
            }
            if let partial = state.partialLines.removeValue(forKey: key) {
                var joined = partial.bytes
                var piece = text
                piece.withUTF8 { joined.append(UnsafeRawBufferPointer($0)) }
                text = joined.string()
            }
        }
        state.records += 1
        // A repeated CloudWatch event (filter-log-events / get-log-events `eventId`, a subscription's logEvents `id`)
        // counts once; any other `id` (a request id in JSON lines) says nothing about repeats.
        if let id = JSONLogDecoder.cloudWatchEventID(f, shape: shape), text.withUTF8({ processor.prefilter.matches($0) }),
           state.events.isRepeat(id, message: message) { return }
        processor.message(text, number: line, context: context)
    }

    /// The CloudWatch event id of an event of this shape, or nil when the shape carries none.
    static func cloudWatchEventID(_ f: [String: String], shape: String) -> String? {
        switch shape {
        case "cloudwatch-filter-log-events", "cloudwatch-get-log-events": return f["eventId"]
        case "cloudwatch-subscription": return f["id"]
        default: return nil
        }
    }

    /// Objects of shapes memfit does not know (pino/zap `msg`, Azure `Log`, gcloud `textPayload`, Kinesis `Data`,
    /// `kubectl get pod -o json`): every string member that holds a launch line is matched, so none is lost.
    private func fallback(_ f: [String: String], line: Int, state: State, processor: RecordProcessor) {
        // Lifted members ("State.OOMKilled") were already looked at in their own object.
        for key in f.keys.sorted() where !key.contains(".") {
            guard let value = f[key] else { continue }
            if value.hasPrefix("H4sI") {  // base64 of gzip: a Kinesis or subscription payload
                decodeNested(base64: value, line: line, processor: processor)
                continue
            }
            var text = value
            guard text.withUTF8({ processor.prefilter.matches($0) }) else { continue }
            state.records += 1
            state.shape = state.shape ?? "json"
            processor.message(value, number: line, context: RecordContext(
                timestamp: f["time"] ?? f["timestamp"] ?? f["TimeStamp"] ?? f["@timestamp"],
                source: f["container_name"] ?? f["ContainerName"] ?? f["metadata.name"] ?? f["name"]))
        }
    }

    /// Emits what spans documents (unfinished Docker lines) once the input ends.
    func flush(into processor: RecordProcessor) {
        let before = state.records
        flushPartials(state, processor)
        processor.records = (processor.records ?? 0) + state.records - before
    }

    private func flushPartials(_ state: State, _ processor: RecordProcessor) {
        for (_, partial) in state.partialLines.sorted(by: { $0.value.line < $1.value.line }) {
            state.records += 1
            processor.message(partial.bytes.string(), number: partial.line, context: RecordContext(
                timestamp: partial.time, platform: .docker, platformReason: "Docker json-file lines"))
        }
        state.partialLines.removeAll()
    }

    private func ecsTask(
        _ task: [String: String], containers: [[String: String]], line: Int, state: State, processor: RecordProcessor,
        origin: String = "aws ecs describe-tasks"
    ) {
        state.shape = state.shape ?? "ecs-describe-tasks"
        let launchType = task["launchType"]?.uppercased()
        let platform: Platform = launchType == "EC2" || launchType == "EXTERNAL" ? .ecsEC2 : .ecsFargate
        let reason = "launchType \(launchType ?? "not given") in \(origin)"
        let family = task["taskDefinitionArn"].flatMap { $0.split(separator: "/").last?.split(separator: ":").first.map(String.init) }
            ?? task["group"] ?? task["taskArn"].flatMap { $0.split(separator: "/").last.map(String.init) }
        // ECS memory is in MiB; a figure past 64T is not a real one.
        let plausibleMiB: (String?) -> Int64? = { text in
            text.flatMap { Int64($0) }.flatMap { $0 > 0 && $0 <= MemorySize.plausibleMaximum.bytes / MemorySize.mebi ? $0 : nil }
        }
        let taskMemory = plausibleMiB(task["memory"])
        for container in containers {
            guard let text = container["reason"] ?? container["exitCode"].map({ "exit code \($0)" }) else { continue }
            state.records += 1
            var message = text
            if JSONLogDecoder.isECSOutOfMemoryReason(text) {
                message = "OutOfMemoryError: Container killed due to memory usage"  // the catalogue's wording
            }
            let containerMemory = plausibleMiB(container["memory"])
            let limit = containerMemory ?? taskMemory
            let name = [family, container["name"]].compactMap { $0 }.joined(separator: "/")
            processor.record(LogRecord(
                input: processor.input, line: line, timestamp: task["stoppedAt"], source: name.isEmpty ? nil : name,
                platformHint: platform, platformReason: reason,
                attributes: RecordAttributes(
                    exitCode: container["exitCode"].flatMap { Int($0) }, memoryLimitBytes: limit.map { $0 * MemorySize.mebi },
                    memoryLimitSource: containerMemory != nil ? "container memory \(containerMemory!) MiB"
                        : taskMemory.map { "task memory \($0) MiB" }),
                message: message))
        }
        if let stopped = task["stoppedReason"] {
            // The OOM reason can be the task's (log-formats.md §8.3): then the exit code and the limit are the killed
            // container's, from the same document. Said once when a container's own reason already says it.
            let oom = JSONLogDecoder.isECSOutOfMemoryReason(stopped)
            if oom && containers.contains(where: { $0["reason"].map(JSONLogDecoder.isECSOutOfMemoryReason) ?? false }) { return }
            var attributes: RecordAttributes?
            if oom, let killed = containers.first(where: { $0["exitCode"] == "137" }) ?? containers.first(where: { $0["exitCode"] != nil })
                ?? containers.first {
                let containerMemory = plausibleMiB(killed["memory"])
                let limit = containerMemory ?? taskMemory
                attributes = RecordAttributes(
                    exitCode: killed["exitCode"].flatMap { Int($0) }, memoryLimitBytes: limit.map { $0 * MemorySize.mebi },
                    memoryLimitSource: containerMemory != nil ? "container memory \(containerMemory!) MiB"
                        : taskMemory.map { "task memory \($0) MiB" })
            }
            state.records += 1
            processor.record(LogRecord(
                input: processor.input, line: line, timestamp: task["stoppedAt"], source: family, platformHint: platform,
                platformReason: reason, attributes: attributes, message: stopped))
        }
    }

    private func dockerInspect(_ f: [String: String], line: Int, state: State, processor: RecordProcessor) {
        state.shape = state.shape ?? "docker-inspect"
        guard f["State.OOMKilled"] == "true" else { return }
        state.records += 1
        let memory = f["HostConfig.Memory"].flatMap { Int64($0) }.flatMap { $0 > 0 && $0 <= MemorySize.plausibleMaximum.bytes ? $0 : nil }
        processor.record(LogRecord(
            input: processor.input, line: line, timestamp: f["State.FinishedAt"],
            source: f["Name"].map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }, platformHint: .docker,
            platformReason: "docker inspect output",
            attributes: RecordAttributes(
                exitCode: f["State.ExitCode"].flatMap { Int($0) }, memoryLimitBytes: memory,
                memoryLimitSource: memory.map { "HostConfig.Memory \($0)" }),
            message: "OOMKilled: true"))
    }

    /// Lambda's `data`: base64 of gzip of a subscription payload, decoded in memory (payloads are at most 1 MB).
    /// A broken payload is skipped and the outer document goes on; under `awslogs.data`, where a payload must be,
    /// it is also reported (the first one per input), since its events are lost.
    private func decodeNested(base64 text: String, line: Int, processor: RecordProcessor, reportingErrors: Bool = false) {
        func broken(_ why: String) {
            guard reportingErrors, processor.error == nil else { return }
            processor.error = InputError(input: processor.input, reason: .invalidFormat, detail: "awslogs.data on line \(line) \(why)")
        }
        guard nesting < 2 else { return }
        if nesting == 0 { processor.nestedBudget += JSONLogDecoder.nestedBudgetRatio * Int64(text.utf8.count) }
        guard let compressed = Base64.decode(text) else { return broken("is not base64") }
        var bytes = compressed
        if compressed.starts(with: [0x1F, 0x8B]) {
            let room = processor.nestedBudget - processor.nestedInflated
            func overBudget() {
                guard processor.error == nil else { return }
                processor.error = InputError(
                    input: processor.input, reason: .invalidFormat,
                    detail: "nested gzip payloads from line \(line) on were skipped: they inflate past "
                        + "\(processor.nestedBudget >> 20) MiB, far more than the input holds (a likely gzip bomb)")
            }
            guard room > 0 else { return overBudget() }
            let limit = Int(min(room, Int64(JSONLogDecoder.maxNestedPayload)))
            guard let inflated = Gunzip.inflate(compressed, limit: limit) else {
                processor.nestedInflated += Int64(limit)  // the work was done, whatever the outcome
                if limit < JSONLogDecoder.maxNestedPayload { return overBudget() }
                return broken("is not complete gzip, or inflates past \(JSONLogDecoder.maxNestedPayload >> 20) MiB")
            }
            processor.nestedInflated += Int64(inflated.count)
            bytes = inflated
        }
        var nested = JSONLogDecoder()
        nested.nesting = nesting + 1
        var source = BytesSource(bytes)
        do {
            try nested.decode(&source, into: processor)
        } catch {
            broken("holds no valid JSON payload (\(error))")
        }
    }

    /// `<pod>/<container>` from a record's `kubernetes` object.
    static func podSource(_ f: [String: String]) -> String? {
        guard let pod = f["kubernetes.pod_name"] else { return nil }
        return f["kubernetes.container_name"].map { pod + "/" + $0 } ?? pod
    }

    /// The ECS agent's OOM reason, in either case (log-formats.md §8.3).
    static func isECSOutOfMemoryReason(_ text: String) -> Bool {
        text.lowercased().contains("outofmemoryerror: container killed due to memory usage")
    }

    /// An EventBridge "ECS Task State Change" envelope: the scalars of its `detail` (the task) and of each object in
    /// `detail.containers`. Nil when the text is not one.
    static func taskStateChange(_ text: String) -> (task: [String: String], containers: [[String: String]])? {
        guard text.utf8.count <= LineReader.defaultMaxLineBytes else { return nil }
        var tokenizer = JSONTokenizer(source: BytesSource(Array(text.utf8)))
        defer { tokenizer.release() }
        var top: [String: String] = [:]
        var task: [String: String] = [:]
        var containers: [[String: String]] = []
        var path: [String?] = []  // the key each open container is under (nil in arrays)
        var key: String?
        do {
            while let token = try tokenizer.next() {
                switch token {
                case .key(let k): key = k
                case .objectStart, .arrayStart:
                    path.append(key)
                    key = nil
                    if token == .objectStart, path.count == 4, path[1] == "detail", path[2] == "containers" { containers.append([:]) }
                case .objectEnd, .arrayEnd:
                    _ = path.popLast()
                    key = nil
                case .string(let v), .number(let v):
                    if let k = key {
                        if path.count == 1 { top[k] = v }
                        else if path.count == 2, path[1] == "detail" { task[k] = v }
                        else if path.count == 4, path[1] == "detail", path[2] == "containers", !containers.isEmpty {
                            containers[containers.count - 1][k] = v
                        }
                    }
                    key = nil
                default: key = nil
                }
            }
        } catch {
            return nil
        }
        guard top["detail-type"] == "ECS Task State Change", !task.isEmpty else { return nil }
        return (task, containers)
    }

    /// Parses a small JSON object held in a string (FireLens records) into its scalar members, and those of its
    /// object members as `kubernetes.pod_name`.
    static func smallObject(_ text: String) -> [String: String]? {
        guard text.utf8.count <= LineReader.defaultMaxLineBytes else { return nil }
        var tokenizer = JSONTokenizer(source: BytesSource(Array(text.utf8)))
        defer { tokenizer.release() }
        var fields: [String: String] = [:]
        var key: String?
        var parent: String?  // the depth-1 member whose object is open
        do {
            guard try tokenizer.next() == .objectStart else { return nil }
            while let token = try tokenizer.next() {
                switch token {
                case .key(let k): key = k
                case .objectStart where tokenizer.depth == 2:
                    parent = key
                    key = nil
                case .objectEnd where tokenizer.depth == 1:
                    parent = nil
                    key = nil
                case .string(let v), .number(let v):
                    if tokenizer.depth == 1, let k = key { fields[k] = v }
                    if tokenizer.depth == 2, let p = parent, let k = key { fields[p + "." + k] = v }
                    key = nil
                case .objectEnd where tokenizer.depth == 0: return fields
                default: key = nil
                }
            }
        } catch {
            return nil
        }
        return fields
    }
}

enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c) + 4
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="), 0x0A, 0x0D, 0x20: continue
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}

enum Gunzip {
    /// Inflates gzip (all members) held in memory, refusing to grow past `limit` bytes.
    static func inflate(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        var source = GzipSource(base: BytesSource(bytes), name: "payload")
        defer { source.release() }
        var out: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            guard let n = try? source.read(into: chunk) else { return out.isEmpty ? nil : out }
            if n == 0 { return out }
            guard out.count + n <= limit else { return nil }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
