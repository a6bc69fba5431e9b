/// Stage 4, extract facts: turns a catalogue match into a typed fact. Pure; no I/O.
public enum FactExtractor {
    public static func fact(from match: PCRE2Match, entry: CatalogueEntry, record: LogRecord) -> Fact? {
        guard var payload = payload(from: match, entry: entry) else { return nil }
        if case .containerOOMKilled(let how, _) = payload {
            // The document's attributes; else what the line itself prints: an exit code ("Exited with status 137 (out
            // of memory)") or a limit (Cloud Run's "Memory limit of 512 MiB exceeded", its units binary).
            let limit = Int64(match["limit"] ?? "").flatMap { n -> Int64? in
                let unit = match["unit"]?.hasPrefix("G") == true ? MemorySize.gibi : MemorySize.mebi
                let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
                return overflow ? nil : bytes
            }
            var printed = Int(match["status"] ?? "").map { RecordAttributes(exitCode: $0) }
            if let limit {
                printed = RecordAttributes(
                    memoryLimitBytes: limit, memoryLimitSource: "Memory limit of \(match["limit"]!) \(match["unit"]!)")
            }
            payload = .containerOOMKilled(how: how, attributes: record.attributes ?? printed)
        }
        let testcontainers = payload == .testcontainersDump
        return Fact(
            payload: payload, entryID: entry.id, source: record.source.map { clipped($0, to: maxDetailCharacters) },
            timestamp: record.timestamp,
            platformHint: testcontainers ? .docker : record.platformHint,
            platformReason: testcontainers ? "a Testcontainers log dump" : record.platformReason,
            evidence: Evidence(
                input: record.input, line: record.line, text: clipped(record.message, to: maxEvidenceCharacters),
                timestamp: record.timestamp))
    }

    /// A user rule's hit on a record, as a fact like any other.
    public static func fact(from hit: UserRuleHit, record: LogRecord) -> Fact {
        Fact(
            payload: .userRule(hit), entryID: hit.ruleID, source: record.source.map { clipped($0, to: maxDetailCharacters) },
            timestamp: record.timestamp,
            platformHint: record.platformHint, platformReason: record.platformReason,
            evidence: Evidence(
                input: record.input, line: record.line, text: clipped(record.message, to: maxEvidenceCharacters),
                timestamp: record.timestamp))
    }

    /// Evidence is kept at most this long (head and tail), so a huge log line cannot make memory or a report huge.
    /// Reports show at most `displayedEvidenceCharacters`, cut after redaction so a secret is never split first.
    static let maxEvidenceCharacters = 2_000
    public static let displayedEvidenceCharacters = 1_000
    /// Free text inside a fact (a launcher's cause, an exec.d path) is at most this long.
    static let maxDetailCharacters = 300

    /// `text` itself, or its head and tail around " … " when longer than `limit` Unicode scalars (not Characters:
    /// one character with 200,000 combining marks is still 200,000 scalars). The cut falls between words, so a
    /// secret is kept whole or dropped whole and the redactor, which runs later on the report, still recognises it.
    static func clipped(_ text: String, to limit: Int) -> String {
        let scalars = text.unicodeScalars
        guard text.utf8.count > limit, scalars.count > limit else { return text }
        let tailLength = limit / 4
        let headEnd = scalars.index(scalars.startIndex, offsetBy: limit - tailLength - 3)
        let tailStart = scalars.index(scalars.endIndex, offsetBy: -tailLength)
        var head = scalars[..<headEnd]
        if !scalars[headEnd].properties.isWhitespace {
            head = head[..<(head.lastIndex { $0.properties.isWhitespace } ?? head.startIndex)]
        }
        var tail = scalars[tailStart...]
        if !scalars[scalars.index(before: tailStart)].properties.isWhitespace {
            tail = tail[(tail.firstIndex { $0.properties.isWhitespace }.map { tail.index(after: $0) } ?? tail.endIndex)...]
        }
        return String(String.UnicodeScalarView(head)) + " … " + String(String.UnicodeScalarView(tail))
    }

    static func payload(from m: PCRE2Match, entry: CatalogueEntry) -> FactPayload? {
        payloadUnclipped(from: m, entry: entry).map(clippingDetails)
    }

    /// Caps the free text a fact carries; numbers are untouched.
    static func clippingDetails(_ payload: FactPayload) -> FactPayload {
        let n = maxDetailCharacters
        switch payload {
        case .execdMemoryCalculatorFailed(let vendor, let path, let status):
            return .execdMemoryCalculatorFailed(vendor: vendor.map { clipped($0, to: n) }, path: clipped(path, to: n), status: status)
        case .execdOtherFailed(let path, let cause): return .execdOtherFailed(path: clipped(path, to: n), cause: clipped(cause, to: n))
        case .launcherFailed(let cause): return .launcherFailed(cause: clipped(cause, to: n))
        case .calculatorError(let cause): return .calculatorError(cause: clipped(cause, to: n))
        case .jvmOptionRejected(let cause): return .jvmOptionRejected(cause: clipped(cause, to: n))
        case .jvmOutOfMemory(let what): return .jvmOutOfMemory(what: clipped(what, to: n))
        case .limitUnconvertible(let value): return .limitUnconvertible(value: clipped(value, to: n))
        case .regionsDoNotFit(var f):
            f.detail = f.detail.map { clipped($0, to: n) }
            return .regionsDoNotFit(f)
        case .calculatedConfiguration(var c):
            c.flags = clipped(c.flags, to: n)
            return .calculatedConfiguration(c)
        default: return payload
        }
    }

    static func payloadUnclipped(from m: PCRE2Match, entry: CatalogueEntry) -> FactPayload? {
        switch entry.kind {
        case .regionsDoNotFit:
            return regionsDoNotFit(m, generation: entry.generation ?? .libjvm)
        case .calculationFailedHeader:
            return .calculationFailedHeader
        case .sizedFromAvailableMemory:
            return m["available"].flatMap { MemorySize(parsing: $0) }.map { .sizedFromAvailableMemory($0) }
        case .availableMemoryLink:
            return .availableMemoryLink(backquote: m["backquote"] != nil)
        case .limitUnset:
            return .limitUnset(assumed: m["assumed"].flatMap { MemorySize(parsing: $0) } ?? .gibibytes(1))
        case .limitTooLarge:
            return .limitTooLarge(assumed: m["assumed"].flatMap { MemorySize(parsing: $0) } ?? .zero)
        case .limitUnconvertible:
            return .limitUnconvertible(value: m["value"] ?? "")
        case .calculatedConfiguration:
            return configuration(m, generation: entry.generation ?? .libjvm)
        case .execdMemoryCalculatorFailed:
            let path = m["path"] ?? ""
            return .execdMemoryCalculatorFailed(vendor: vendor(fromLayerPath: path), path: path, status: Int(m["status"] ?? "") ?? 1)
        case .execdOtherFailed:
            return .execdOtherFailed(path: m["path"] ?? "", cause: (m["cause"] ?? "").trimmingBlanks())
        case .launcherFailed:
            return .launcherFailed(cause: (m["cause"] ?? "").trimmingBlanks())
        case .calculatorError:
            // libjvm's bash script before v1.17.2 (memory-calculator.md §1.4) read the cgroup v1 file with `cat`.
            if let file = m["file"] { return .calculatorError(cause: "\(file) does not exist, so no --total-memory could be read from it") }
            return .calculatorError(cause: (m["cause"] ?? "").trimmingBlanks())
        case .jvmOutOfMemory:
            switch entry.id {
            // The jvmkill agent (Paketo before libjvm v1.29.0, CF java-buildpack; memory-calculator.md §6).
            case "jvmkill-resource-exhaustion":
                return .jvmOutOfMemory(what: "\(m["what"] ?? "unable to allocate memory") (jvmkill resource exhaustion event)")
            case "jvmkill-killing":
                return .jvmOutOfMemory(what: Narrative.jvmkillKilled)
            // Not an OutOfMemoryError: the JVM could not reserve its heap at start (memory-calculator.md §6).
            case "jvm-could-not-reserve-heap":
                return .jvmOutOfMemory(what: "could not reserve enough space for " + (m["what"].map { "a \($0) object heap" } ?? "the object heap"))
            default:
                return .jvmOutOfMemory(what: m["what"]?.trimmingBlanks() ?? "object heap")
            }
        case .containerOOMKilled:
            return .containerOOMKilled(how: entry.id, attributes: nil)
        case .memoryQuotaExceeded:
            return .memoryQuotaExceeded
        case .testcontainersDump:
            return .testcontainersDump
        case .javaToolOptions:
            let options = (m["options"] ?? "").split(separator: " ", omittingEmptySubsequences: true)
            return .javaToolOptions(PrintedRegions(list: options.joined(separator: ", ")))
        case .jvmOptionRejected:
            // memory-calculator.md §2.5, §6: a size is digits with an optional k, m, g or t; no decimals.
            let option = m["option"] ?? ""
            let value = option.hasPrefix("-Xmx") ? String(option.dropFirst(4)) : option
            var cause = "the JVM rejected \(option): it is not a valid maximum heap size"
            if value.contains(".") || value.contains(",") {
                cause += "; sizes are whole numbers with an optional k, m, g or t (for example -Xmx1536m, not -Xmx1.5g)"
            }
            return .jvmOptionRejected(cause: cause)
        case .processExited:
            return Int(m["status"] ?? "").map { .processExited(status: $0) }
        case .stagingSettings:
            guard let headroom = Int(m["headroom"] ?? ""), (0...100).contains(headroom) else { return nil }
            return .stagingHeadroom(percent: headroom)
        case .launchSettingAtBuild:
            guard let name = m["name"], let value = Int(m["value"] ?? ""), value <= 1_000_000 else { return nil }
            return .launchSettingAtBuild(name: name == "BPL_JVM_HEADROOM" ? "BPL_JVM_HEAD_ROOM" : name, value: value)
        }
    }

    static func regionsDoNotFit(_ m: PCRE2Match, generation: CalculatorGeneration) -> FactPayload? {
        let regions = PrintedRegions(list: m["regions"] ?? "")
        var check: CalculatorCheck?
        switch generation {
        case .libjvm: check = m["check"].flatMap(CalculatorCheck.init(rawValue:))
        case .cfV4: check = regions.heap == nil ? .fixed : .all
        case .cfV3: check = .fixed
        case .cfV2: check = nil
        }
        func plausible(_ text: String?) -> MemorySize? {
            text.flatMap { MemorySize(parsing: $0, allowByteSuffix: true) }.flatMap { $0.isPlausible ? $0 : nil }
        }
        // A figure that cannot be real (past 64T, or too many digits) is left out; the failure is still reported.
        let failure = PrintedFailure(
            generation: generation, check: check, required: plausible(m["required"]), available: plausible(m["available"]),
            regions: regions, detail: m["detail"]?.trimmingBlanks())
        return .regionsDoNotFit(failure)
    }

    static func configuration(_ m: PCRE2Match, generation: CalculatorGeneration) -> FactPayload? {
        guard let totalText = m["total"], let total = parseTotal(totalText), total.isPlausible,
              let threads = Int(m["threads"] ?? ""), (0...PrintedRegions.maxThreads).contains(threads),
              let classes = Int(m["classes"] ?? ""), (0...1_000_000_000).contains(classes),
              let headroom = Int(m["headroom"] ?? ""), (0...100).contains(headroom)
        else { return nil }
        let flags = m["flags"]?.trimmingBlanks() ?? ""
        // Flags are space-separated here; reuse the list parser by turning spaces into separators.
        var regions = PrintedRegions(list: flags.split(separator: " ").joined(separator: ", "))
        regions.threadCount = threads
        return .calculatedConfiguration(
            PrintedConfiguration(
                generation: generation, flags: flags, total: total, threadCount: threads,
                loadedClassCount: classes, headroomPercent: headroom, regions: regions))
    }

    /// "730M" (libjvm) or, from the old bash script, raw bytes or numfmt's "1.0G".
    static func parseTotal(_ text: String) -> MemorySize? {
        if let size = MemorySize(parsing: text) { return size }
        guard let unit = text.last, let multiplier = ["K": MemorySize.kibi, "M": MemorySize.mebi, "G": MemorySize.gibi, "T": MemorySize.tebi][String(unit)],
              let value = Double(text.dropLast()), value.isFinite, value >= 0, value < 1e6
        else { return nil }
        return MemorySize(bytes: Int64(value * Double(multiplier)))
    }

    /// `/layers/paketo-buildpacks_bellsoft-liberica/helper/exec.d/memory-calculator` → `paketo-buildpacks/bellsoft-liberica`.
    public static func vendor(fromLayerPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let layers = parts.firstIndex(of: "layers"), layers + 1 < parts.count else { return nil }
        let escaped = parts[layers + 1]
        guard let underscore = escaped.firstIndex(of: "_") else { return String(escaped) }
        return escaped[..<underscore] + "/" + escaped[escaped.index(after: underscore)...]
    }
}
