/// CloudWatch Logs Insights console CSV: RFC 4180 quoting, fields that span lines, an optional BOM, rows usually
/// newest first, and (in concatenated exports) repeated header rows. `@message` is the message, `@logStream` the
/// source, `@timestamp` the time.
struct InsightsCSVDecoder {
    static let maxFields = 4096
    /// Columns that are not the message, time or stream keep only this much (they are matched, but not whole).
    static let otherColumnBytes = 4096

    /// `2023-06-13 15:51:44.000`, or epoch milliseconds: four digits first.
    static func looksLikeTime(_ field: String) -> Bool {
        let head = field.utf8.prefix(4)
        return head.count == 4 && head.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    func decode<Source: ByteSource>(
        _ source: inout Source, reader: LineReader = LineReader(), stats: inout LineReader.Stats, into processor: RecordProcessor
    ) throws(InputError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        var fields: [String] = []
        var field = CappedBytes(limit: LineReader.defaultMaxLineBytes)
        var inQuotes = false
        var quoteSeen = false  // a '"' inside quotes: either an escaped quote or the closing one
        var line = 1
        var recordLine = 1
        var header: [String]?
        var columns: (message: Int, timestamp: Int?, stream: Int?)?
        var records = 0
        var previousCR = false
        var bytes: Int64 = 0

        func endField() {
            if fields.count < InsightsCSVDecoder.maxFields { fields.append(field.string()) }
            field = CappedBytes(limit: limit(forColumn: fields.count))
        }

        /// The message column keeps up to the line cap; other columns a little, so a wide row stays small.
        func limit(forColumn index: Int) -> Int {
            guard let columns else { return LineReader.defaultMaxLineBytes }
            return index == columns.message ? LineReader.defaultMaxLineBytes : InsightsCSVDecoder.otherColumnBytes
        }

        func isHeader(_ row: [String]) -> Bool {
            row.contains { $0.trimmingBlanks() == "@message" } && row.allSatisfy { $0.isEmpty || $0.trimmingBlanks().first == "@" }
        }

        func endRecord() {
            endField()
            defer { fields.removeAll(keepingCapacity: true); recordLine = line }
            if fields.count == 1 && fields[0].isEmpty { return }  // a blank line
            if var first = fields.first, first.hasPrefix("\u{FEFF}") {
                first.removeFirst()
                fields[0] = first
            }
            // The first row is the header; a later header (concatenated exports) may order the columns differently.
            if header == nil || (fields != header! && isHeader(fields)) {
                header = fields
                let names = fields.map { $0.trimmingBlanks() }
                if let message = names.firstIndex(of: "@message") ?? names.firstIndex(of: "message") {
                    columns = (message, names.firstIndex(of: "@timestamp"), names.firstIndex(of: "@logStream"))
                } else {
                    columns = nil
                }
                return
            }
            if fields == header { return }  // a header repeated by concatenation
            records += 1
            var context = RecordContext(platform: .ecsFargate, platformReason: "a CloudWatch Logs Insights export")
            guard let columns, columns.message < fields.count else {
                // No message column (a query with other fields): every field is searched, none is lost.
                for value in fields { processor.message(value, number: recordLine, context: context) }
                return
            }
            // More fields than the header: an unquoted comma in the message split it. The extra fields are joined
            // back into it, and the columns after it move along.
            let extra = max(0, fields.count - (header?.count ?? fields.count))
            let shifted = { (column: Int) in column > columns.message ? column + extra : column }
            if let t = columns.timestamp.map(shifted), t < fields.count { context.timestamp = fields[t] }
            if let s = columns.stream.map(shifted), s < fields.count, !fields[s].isEmpty { context.source = fields[s] }
            if let (platform, reason) = Platform.fromLogStream(context.source) {
                context.platform = platform
                context.platformReason = reason
            }
            var message = extra > 0 && columns.message + extra < fields.count
                ? fields[columns.message...(columns.message + extra)].joined(separator: ",") : fields[columns.message]
            // A row whose time column holds no time is not a row but an unquoted line (a message's continuation, a
            // pasted log line): matched whole, commas and all.
            if let t = columns.timestamp, t < fields.count, !InsightsCSVDecoder.looksLikeTime(fields[t]) {
                context.timestamp = nil
                message = fields.joined(separator: ",")
            }
            processor.message(message, number: recordLine, context: context)
        }

        var quoteLine = 1
        var quoteOffset: Int64 = 0
        /// Set when a quoted field outgrew its column (a stray quote): where in the chunk reading stopped.
        var brokenAt: Int?
        var n = 0
        reading: while true {
            n = try source.read(into: chunk)
            if n == 0 { break }
            bytes += Int64(n)
            for i in 0..<n {
                let b = chunk[i]
                if inQuotes {
                    if quoteSeen {
                        quoteSeen = false
                        if b == UInt8(ascii: "\"") { field.append(b); continue }
                        inQuotes = false  // that quote closed the field; fall through to handle `b`
                    } else if b == UInt8(ascii: "\"") {
                        quoteSeen = true
                        continue
                    } else {
                        // No real field is this long (a CloudWatch event is at most 1 MB; the other columns are
                        // short): the quote was a stray one, and the rest is read as plain lines.
                        if field.head.count >= field.limit {
                            brokenAt = i
                            break reading
                        }
                        if b == 0x0A { line += 1 }
                        field.append(b)
                        continue
                    }
                }
                if b == 0x0A { line += 1 }
                switch b {
                case UInt8(ascii: "\"") where field.head.isEmpty && !field.capped:
                    inQuotes = true  // RFC 4180: only a quote that opens a field is special
                    quoteLine = line
                    quoteOffset = bytes - Int64(n) + Int64(i)
                case UInt8(ascii: ","):
                    endField()
                case 0x0A:
                    endRecord()
                case 0x0D:
                    previousCR = true
                    continue
                default:
                    if previousCR { field.append(0x0D) }
                    field.append(b)
                }
                previousCR = false
            }
        }
        if let i = brokenAt {
            processor.recoveredError = processor.recoveredError ?? InputError(
                input: processor.input, reason: .invalidFormat,
                detail: "CSV quoted field starting on line \(quoteLine) is not closed within \(field.limit) bytes; the rest is read as plain lines",
                offset: quoteOffset)
            processor.records = records
            // From the stray quote on, as plain lines: the field so far, then the rest of the input.
            var rest = PrefixedSource(prefix: field.head + Array(chunk[i..<n]), base: source)
            var plain = LineReader.Stats()
            plain.lines = quoteLine - 1
            defer {
                processor.bytesRead = quoteOffset + 1 + plain.bytes
                stats.lines = plain.lines
                stats.cappedLines += plain.cappedLines
                processor.records = records + plain.lines - (quoteLine - 1)
            }
            try PlainLinesDecoder().decode(&rest, reader: reader, stats: &plain, into: processor)
            return
        }
        processor.bytesRead = bytes
        if inQuotes && !quoteSeen {
            // Keep what the unterminated field holds, then say where it began.
            let start = recordLine
            endRecord()
            processor.records = records
            throw InputError(
                input: processor.input, reason: .invalidFormat,
                detail: "CSV quoted field starting on line \(start) is never closed")
        }
        if !fields.isEmpty || field.head.count > 0 || quoteSeen { endRecord() }
        processor.records = records
    }
}
