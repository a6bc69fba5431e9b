import CStringSearch

/// Decoders for line-shaped inputs. Each reads pieces from the `LineReader` and hands records to the processor.

/// Plain lines: whole blocks go through the literal prefilter; only candidate lines are decoded.
struct PlainLinesDecoder {
    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        try reader.forEachPiece(in: &source, stats: &stats) { piece in
            switch piece {
            case .line(let line, let number, let capped): processor.line(line, number: number, capped: capped)
            case .block(let block, let first): processor.block(block, firstLine: first)
            }
        }
    }
}

/// One JSON value per line. Each line is decoded on its own (Docker partial lines are still joined across lines);
/// a line that is not JSON is matched as plain text, so a plain OOM line among structured logs is not lost.
struct JSONLinesDecoder {
    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        var decoder = JSONLogDecoder()
        var plain = 0
        try reader.forEachLine(in: &source, stats: &stats) { line, number, capped in
            guard let first = line.first(where: { !isSpace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                plain += 1
                processor.line(line, number: number, capped: capped)
                return
            }
            decoder.firstLine = number
            var lineSource = BytesSource(Array(line))
            do {
                try decoder.decode(&lineSource, into: processor, finish: false, bufferBytes: line.count + 1)
            } catch {
                plain += 1
                processor.line(line, number: number, capped: capped)
            }
        }
        decoder.flush(into: processor)
        processor.records = (processor.records ?? 0) + plain
    }
}

/// `aws logs tail` and CloudWatch S3 exports: each event's first line starts with a timestamp (and, for tail's
/// detailed form, the stream); lines without one continue the event before them and share its source.
struct TimestampedLinesDecoder {
    let format: InputFormat

    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        let pattern = processor.analyzer.sniffPatterns.timestampedEvent
        let pcre = processor.analyzer.matcher.pcre
        let reason = format == .s3Export ? "a CloudWatch Logs export to S3" : "aws logs tail output"
        let withStream = format == .awsLogsTail
        var last: RecordContext?

        /// The context a line starts (when it has the prefix), and the message after the prefix.
        func split(_ line: UnsafeBufferPointer<UInt8>) -> (RecordContext, UnsafeBufferPointer<UInt8>)? {
            // `--color on`: the timestamp and stream are wrapped in colour codes; match without them, then map the
            // end of the prefix back into the line.
            guard line.first == 0x1B else { return splitPlain(line) }
            let (stripped, origin) = ANSI.strippingCSI(line, limit: 1024)
            return stripped.withUnsafeBufferPointer { plain -> (RecordContext, UnsafeBufferPointer<UInt8>)? in
                guard let (context, message) = splitPlain(plain) else { return nil }
                let end = plain.count - message.count
                return (context, UnsafeBufferPointer(rebasing: line[origin[end]...]))
            }
        }

        func splitPlain(_ line: UnsafeBufferPointer<UInt8>) -> (RecordContext, UnsafeBufferPointer<UInt8>)? {
            guard case .match(let m) = pcre.match(pattern, in: line) else { return nil }
            var context = RecordContext(timestamp: m["ts"], platform: .ecsFargate, platformReason: reason)
            var end = m.whole.upperBound
            if let stream = m["source"] {
                // The short tail form and S3 exports have no stream: that word belongs to the message.
                if withStream && m["ts"]?.hasSuffix("+00:00") == true { context.source = stream } else { end -= stream.utf8.count + 1 }
            }
            return (context, UnsafeBufferPointer(rebasing: line[end...]))
        }

        func handle(_ line: UnsafeBufferPointer<UInt8>, number: Int, capped: Bool) {
            if let (context, message) = split(line) {
                last = context
                processor.line(message, number: number, capped: capped, context: context)
            } else {
                processor.line(line, number: number, capped: capped, context: last ?? RecordContext(platform: .ecsFargate, platformReason: reason))
            }
        }

        try reader.forEachPiece(in: &source, stats: &stats) { piece in
            switch piece {
            case .line(let line, let number, let capped):
                handle(line, number: number, capped: capped)
            case .block(let block, let first):
                // Candidate lines only; a continuation line takes the context of the nearest event line above it.
                // Each stretch of the block is searched for event lines at most once (`scanned`), so a long run
                // of continuation lines costs linear time.
                var counted = 0
                var number = first
                var scanned = 0
                for start in processor.prefilter.candidateLineStarts(in: block) {
                    number += LineReader.countNewlines(UnsafeBufferPointer(rebasing: block[counted..<start]))
                    counted = start
                    if let above = contextAbove(start, in: block, notBefore: scanned, split: split) { last = above }
                    let line = LineReader.line(in: block, startingAt: start)
                    scanned = min(block.count, start + line.count + 1)
                    if let (context, message) = split(line) {
                        last = context
                        processor.line(message, number: number, context: context)
                    } else {
                        processor.line(line, number: number, context: last ?? RecordContext(platform: .ecsFargate, platformReason: reason))
                    }
                }
                last = contextAbove(block.count, in: block, notBefore: scanned, split: split) ?? last
            }
        }
    }

    /// The context of the nearest event line above the line that starts at `start`, looking no further up than
    /// `notBefore`.
    func contextAbove(
        _ start: Int, in block: UnsafeBufferPointer<UInt8>, notBefore: Int,
        split: (UnsafeBufferPointer<UInt8>) -> (RecordContext, UnsafeBufferPointer<UInt8>)?
    ) -> RecordContext? {
        guard let base = block.baseAddress else { return nil }
        var lineStart = start
        while true {
            guard lineStart > notBefore else { return nil }
            let previousEnd = lineStart - 1  // the newline that ends the line above
            let previousStart = memfit_memrchr(base, 0x0A, previousEnd).map {
                base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1
            } ?? 0
            if let (context, _) = split(LineReader.line(in: block, startingAt: previousStart)) { return context }
            lineStart = previousStart
        }
    }
}

/// `aws logs … --output text`: `EVENTS⇥…` lines. A message with a newline continues on raw lines; the last
/// field of the event is its 13-digit timestamp.
struct CloudWatchTextDecoder {
    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        let reason = "aws logs --output text"
        var context = RecordContext(platform: .ecsFargate, platformReason: reason)
        var events = 0
        var deduper = EventDeduper()
        var repeated = false  // the current event was seen before: its continuation lines are skipped too
        try reader.forEachLine(in: &source, stats: &stats) { line, number, capped in
            var fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            var messageFields: ArraySlice<Slice<UnsafeBufferPointer<UInt8>>>
            if let first = fields.first, first.elementsEqual("EVENTS".utf8) {
                events += 1
                context = RecordContext(platform: .ecsFargate, platformReason: reason)
                // filter-log-events: EVENTS eventId ingestionTime logStreamName message… timestamp
                // get-log-events:    EVENTS ingestionTime message… timestamp
                // (A message with a newline leaves its first line without the timestamp column.)
                repeated = false
                if fields.count >= 4, fields[1].count > 20, fields[1].allSatisfy(isDigit) {
                    context.source = String(decoding: fields[3], as: UTF8.self)
                    if let (platform, reason) = Platform.fromLogStream(context.source) {
                        context.platform = platform
                        context.platformReason = reason
                    }
                    messageFields = fields[4...]
                    // Keyed on the id with the event's first line, so a reused id with other text is not dropped.
                    let firstLine = fields[4...].map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\t")
                    repeated = deduper.isRepeat(String(decoding: fields[1], as: UTF8.self), message: firstLine)
                } else if fields.count >= 3 {
                    messageFields = fields[2...]
                } else {
                    return
                }
            } else if let first = fields.first,
                      first.elementsEqual("NEXTTOKEN".utf8) || (fields.count == 2 && (first.first == UInt8(ascii: "b") || first.first == UInt8(ascii: "f")) && first.dropFirst().first == UInt8(ascii: "/")) {
                return
            } else {
                messageFields = fields[...]
            }
            if repeated { return }
            // The event's last physical line ends with ⇥<13-digit timestamp>.
            if let last = messageFields.last, messageFields.count > 1, last.count == 13, last.allSatisfy(isDigit) {
                context.timestamp = String(decoding: last, as: UTF8.self)
                messageFields = messageFields.dropLast()
            }
            fields = Array(messageFields)
            let message = fields.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\t")
            processor.message(message, number: number, context: context)
        }
        if events > 0 { processor.records = events }  // else one record per line
    }
}

/// Kubernetes CRI node files: `<time> <stream> <P|F>[:attrs] <message>`. `P` (partial) records of a stream are
/// joined, up to the line cap, until its `F` record, so a message split at 16 KiB is matched whole.
struct CRIDecoder {
    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        var partial: [String: (bytes: CappedBytes, timestamp: String, line: Int)] = [:]
        var records = 0
        let reason = "CRI log lines"
        let pod = CRIDecoder.source(fromPath: processor.input)
        try reader.forEachLine(in: &source, stats: &stats) { line, number, capped in
            let parts = line.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let tag = parts[2].first, tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F") else {
                records += 1
                processor.line(line, number: number, capped: capped)
                return
            }
            let stream = String(decoding: parts[1], as: UTF8.self)
            let timestamp = String(decoding: parts[0], as: UTF8.self)
            let body = UnsafeBufferPointer(rebasing: parts.count == 4 ? parts[3] : line[line.endIndex...])
            if tag == UInt8(ascii: "P") {
                if partial[stream] == nil && partial.count >= 8, let oldest = partial.min(by: { $0.value.line < $1.value.line }) {
                    // Streams are stdout and stderr; more than a few open at once is not a CRI file: flush the oldest.
                    partial.removeValue(forKey: oldest.key)
                    records += 1
                    processor.message(oldest.value.bytes.string(), number: oldest.value.line, context: RecordContext(
                        timestamp: oldest.value.timestamp, source: pod, platform: .kubernetes, platformReason: reason))
                }
                // In place: copying the joined bytes on every piece made long P chains quadratic.
                partial[stream, default: (CappedBytes(limit: reader.maxLineBytes), timestamp, number)].bytes
                    .append(UnsafeRawBufferPointer(body))
                return
            }
            records += 1
            let context = RecordContext(timestamp: timestamp, source: pod, platform: .kubernetes, platformReason: reason)
            if var entry = partial.removeValue(forKey: stream) {
                entry.bytes.append(UnsafeRawBufferPointer(body))
                processor.message(entry.bytes.string(), number: entry.line, context: RecordContext(
                    timestamp: entry.timestamp, source: pod, platform: .kubernetes, platformReason: reason))
            } else {
                processor.line(body, number: number, capped: capped, context: context)
            }
        }
        // A partial record the file ends on is still a message.
        for (_, entry) in partial.sorted(by: { $0.value.line < $1.value.line }) {
            records += 1
            processor.message(entry.bytes.string(), number: entry.line, context: RecordContext(
                timestamp: entry.timestamp, source: pod, platform: .kubernetes, platformReason: reason))
        }
        processor.records = records
    }

    /// The pod and container from a node path: `/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log` or
    /// `/var/log/containers/<pod>_<ns>_<container>-<id>.log`.
    static func source(fromPath path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        if let i = parts.firstIndex(of: "pods"), i + 2 < parts.count {
            let pod = parts[i + 1].split(separator: "_")
            if pod.count >= 3 { return "\(pod[1])/\(parts[i + 2])" }
        }
        if let i = parts.firstIndex(of: "containers"), i + 1 < parts.count, parts[i + 1].hasSuffix(".log") {
            let name = parts[i + 1].dropLast(4).split(separator: "_")
            if name.count >= 3, let dash = name[2].lastIndex(of: "-") { return "\(name[0])/\(name[2][..<dash])" }
        }
        return nil
    }
}

/// `kubectl describe pod`: finds containers whose last state was `Terminated` with `OOMKilled` or exit code 137,
/// with the pod and container names and the container's `Limits: memory`.
struct KubectlDescribeDecoder {
    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader, stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        var pod: String?
        var container: String?
        var inContainers = false
        var inLimits = false
        var limit: (bytes: Int64, text: String)?
        var reason: String?
        var exitCode: Int?
        var reasonLine = 0
        /// The container's state block that was an OOM kill (State, or Last State, whichever says so).
        var killed: (reason: String?, exitCode: Int?, line: Int)?

        func noteState() {
            if reason == "OOMKilled" || exitCode == 137, killed == nil { killed = (reason, exitCode, reasonLine) }
        }

        func flush() {
            noteState()
            defer { reason = nil; exitCode = nil; limit = nil; killed = nil }
            guard let killed else { return }
            let (reason, exitCode, reasonLine) = (killed.reason, killed.exitCode, killed.line)
            let name = [pod, container].compactMap { $0 }.joined(separator: "/")
            processor.record(LogRecord(
                input: processor.input, line: reasonLine, source: name.isEmpty ? nil : name, platformHint: .kubernetes,
                platformReason: "kubectl describe pod",
                attributes: RecordAttributes(
                    exitCode: exitCode, memoryLimitBytes: limit?.bytes, memoryLimitSource: limit.map { "Limits: memory: \($0.text)" }),
                message: "Reason: \(reason ?? "Error") (Exit Code: \(exitCode.map(String.init) ?? "?"))"))
        }

        /// Every other line (a `Message:` holding the launch failure, application logs pasted below) goes through the
        /// ordinary matcher, with the pod and container as its source.
        /// False once an unindented line is not a describe field: application logs pasted below have no known source.
        var inDescribe = true
        func ordinary(_ raw: UnsafeBufferPointer<UInt8>, _ number: Int, _ capped: Bool) {
            guard inDescribe else { return processor.line(raw, number: number, capped: capped) }
            let name = [pod, container].compactMap { $0 }.joined(separator: "/")
            processor.line(raw, number: number, capped: capped, context: RecordContext(
                source: name.isEmpty ? nil : name, platform: .kubernetes, platformReason: "kubectl describe pod"))
        }

        try reader.forEachLine(in: &source, stats: &stats) { raw, number, capped in
            let line = String(decoding: raw, as: UTF8.self).replacingTabs()
            let indent = line.prefix(while: { $0 == " " }).count
            let text = line.trimmingBlanks()
            if indent == 0 && !text.isEmpty {
                // `Name:`, `Namespace:`, `Containers:`, `Events:`, `QoS Class:`…
                let key = text.prefix(while: { $0 != ":" })
                inDescribe = key.count < text.count && key.first?.isUppercase == true
                    && key.allSatisfy({ $0.isLetter || $0 == " " || $0 == "-" })
            }
            // The state lines this decoder reads itself are not matched again (an OOM kill would count twice).
            if !(text.hasPrefix("Reason:") || text.hasPrefix("Exit Code:") || text.hasPrefix("State:")
                || text.hasPrefix("Last State:")) {
                ordinary(raw, number, capped)
            }
            if indent == 0 {
                if text.hasPrefix("Name:") { flush(); pod = text.dropFirst(5).trimmingBlanks(); container = nil }
                inContainers = text.hasPrefix("Containers:") || text.hasPrefix("Init Containers:")
                inLimits = false
                return
            }
            if inContainers && indent == 2 && text.hasSuffix(":") && !text.contains(" ") {
                flush()
                container = String(text.dropLast())
                inLimits = false
                return
            }
            if text.hasPrefix("Limits:") { inLimits = true; return }
            if text.hasPrefix("Requests:") || text.hasPrefix("Environment:") || text.hasPrefix("Mounts:") { inLimits = false }
            if inLimits, text.hasPrefix("memory:") {
                let value = text.dropFirst(7).trimmingBlanks()
                if let bytes = KubernetesQuantity.bytes(value), bytes <= MemorySize.plausibleMaximum.bytes { limit = (bytes, value) }
            }
            if text.hasPrefix("State:") || text.hasPrefix("Last State:") {
                noteState()  // a new state block starts
                reason = nil
                exitCode = nil
            }
            if text.hasPrefix("Reason:") {
                reason = text.dropFirst(7).trimmingBlanks()
                reasonLine = number
            }
            if text.hasPrefix("Exit Code:") { exitCode = Int(text.dropFirst(10).trimmingBlanks()) }
        }
        flush()
    }
}

/// Kubernetes resource quantities for memory: `512Mi`, `1Gi`, `500M`, `2G`, `1e9`, plain bytes, and `m` (milli).
public enum KubernetesQuantity {
    public static func bytes(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
            ("Ei", 1_152_921_504_606_846_976), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15),
            ("E", 1e18), ("m", 1e-3),
        ]
        var number = Substring(text)
        var multiplier = 1.0
        for (suffix, value) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            multiplier = value
            break
        }
        guard !number.isEmpty, let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let bytes = (value * multiplier).rounded(.up)
        guard bytes < 9.2e18 else { return nil }
        return Int64(bytes)
    }
}
