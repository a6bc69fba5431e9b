/// What a user rule saw on one line: reported as a finding of the rule's own kind.
public struct UserRuleHit: Sendable, Hashable {
    public var ruleID: String
    public var kind: String
    public var severity: Severity
    public var message: String
}

/// Rules from `--rules` files, compiled once and shared read-only by every scanning thread. They run after the
/// built-in catalogue on every line the prefilter passes, under the same PCRE2 match and depth limits, so a
/// pathological user pattern is stopped and reported like a built-in one.
public struct UserRules: Sendable {
    public struct Rule: Sendable {
        public let definition: RuleDefinition
        public let pattern: PCRE2Pattern
        /// The file the rule came from, for messages.
        public let file: String
    }

    public let rules: [Rule]

    public init() { rules = [] }

    /// Compiles the rules and checks that placeholders and conditions name groups the pattern has.
    public init(_ definitions: [RuleDefinition], file: String) throws(RulesError) {
        var rules: [Rule] = []
        for definition in definitions {
            func fail(_ message: String, offset: Int? = nil) -> RulesError {
                RulesError(file: file, ruleID: definition.id, message: message, patternOffset: offset)
            }
            let pattern: PCRE2Pattern
            do {
                pattern = try PCRE2Pattern(definition.pattern, caseless: definition.caseless)
            } catch {
                throw fail("the pattern does not compile: \(error.message)", offset: error.offset)
            }
            for name in UserRules.placeholders(in: definition.message) where pattern.groupNumbers[name] == nil {
                throw fail("the message uses {\(name)} but the pattern has no group named \(name)")
            }
            for condition in definition.when where pattern.groupNumbers[condition.group] == nil {
                throw fail("\"when\" uses \(condition.group) but the pattern has no group named \(condition.group)")
            }
            rules.append(Rule(definition: definition, pattern: pattern, file: file))
        }
        self.rules = rules
    }

    /// Reads, parses and compiles rules files in order; ids must be unique across them and, for rules that will
    /// run beside the catalogue, differ from the built-in ones (`rules check rules/builtin.json` checks the
    /// catalogue itself, so it allows them).
    public static func load(paths: [String], allowingBuiltInIDs: Bool = false) throws(RulesError) -> UserRules {
        var all: [Rule] = []
        for path in paths {
            let bytes = try readRulesFile(path)
            let compiled = try UserRules(try RuleFile.parse(bytes, file: path), file: path)
            for rule in compiled.rules {
                if !allowingBuiltInIDs, PatternCatalogue.builtIn.contains(where: { $0.id == rule.definition.id }) {
                    throw RulesError(file: path, ruleID: rule.definition.id, message: "the id is a built-in rule's (memfit rules list)")
                }
                if let earlier = all.first(where: { $0.definition.id == rule.definition.id }) {
                    throw RulesError(file: path, ruleID: rule.definition.id, message: "the id is already used in \(earlier.file)")
                }
            }
            all += compiled.rules
        }
        return UserRules(compiled: all)
    }

    init(compiled: [Rule]) { rules = compiled }

    /// Every sample of every rule must match its own pattern and pass its conditions.
    public func checkSamples(matcher: PCRE2Matcher = PCRE2Matcher()) -> [RulesError] {
        var errors: [RulesError] = []
        for rule in rules {
            for (i, sample) in rule.definition.samples.enumerated() {
                let problem: String?
                switch evaluate(rule, sample, matcher: matcher) {
                case .hit: problem = nil
                case .limitExceeded: problem = "sample \(i + 1) hits the PCRE2 match limit"
                case .none: problem = "sample \(i + 1) does not match the pattern and conditions"
                }
                if let problem { errors.append(RulesError(file: rule.file, ruleID: rule.definition.id, message: problem)) }
                if let literal = rule.definition.literal, !rule.definition.caseless, !sample.contains(literal) {
                    errors.append(RulesError(
                        file: rule.file, ruleID: rule.definition.id, message: "sample \(i + 1) does not hold the literal \"\(literal)\""))
                }
            }
        }
        return errors
    }

    /// Samples per rule made into backtracking probes.
    static let probedSamples = 8

    /// Rules whose pattern hits the PCRE2 limits on lines made from their own samples (repeated, or with junk
    /// after them): a sign of catastrophic backtracking that would make every such line slow. Warnings only.
    public func backtrackingWarnings(matcher: PCRE2Matcher = PCRE2Matcher()) -> [RulesError] {
        var warnings: [RulesError] = []
        for rule in rules {
            // The first few samples are enough to show a pattern that backtracks; each probe is 16 KiB.
            let probes = rule.definition.samples.prefix(UserRules.probedSamples).flatMap { sample -> [String] in
                let repeated = String(repeating: sample, count: max(1, 16_384 / max(1, sample.utf8.count)))
                return [repeated, repeated + "\u{1}", String(repeating: String(sample.dropLast()), count: max(1, 16_384 / max(1, sample.utf8.count)))]
            }
            for probe in probes {
                var text = probe
                let limited = text.withUTF8 { bytes -> Bool in
                    if case .limitExceeded = matcher.match(rule.pattern, in: bytes) { return true }
                    return false
                }
                if limited {
                    warnings.append(RulesError(
                        file: rule.file, ruleID: rule.definition.id,
                        message: "warning: the pattern hits the match limit on lines made of its samples: it may backtrack "
                            + "catastrophically (nested repeats like (a+)+), which makes every such line slow"))
                    break
                }
            }
        }
        return warnings
    }

    /// The literals to add to the prefilter; nil when some rule has none and so every line must be matched.
    public var prefilterLiterals: [String]? {
        var literals: [String] = []
        for rule in rules {
            guard let literal = rule.definition.literal, !rule.definition.caseless else { return nil }
            literals.append(literal)
        }
        return literals
    }

    public enum Outcome {
        case none
        case hit(UserRuleHit)
        case limitExceeded
    }

    /// All rules that match `message` (a line can trip more than one), and the ids of those stopped by a limit.
    func matches(_ message: String, matcher: PCRE2Matcher) -> (hits: [UserRuleHit], limited: [String]) {
        var hits: [UserRuleHit] = []
        var limited: [String] = []
        for rule in rules {
            switch evaluate(rule, message, matcher: matcher) {
            case .hit(let hit): hits.append(hit)
            case .limitExceeded: limited.append(rule.definition.id)
            case .none: break
            }
        }
        return (hits, limited)
    }

    func evaluate(_ rule: Rule, _ message: String, matcher: PCRE2Matcher) -> Outcome {
        if let literal = rule.definition.literal, !rule.definition.caseless, !message.contains(literal) { return .none }
        var text = message
        return text.withUTF8 { bytes -> Outcome in
            switch matcher.match(rule.pattern, in: bytes) {
            case .noMatch: return .none
            case .limitExceeded: return .limitExceeded
            case .match(let m):
                for condition in rule.definition.when {
                    guard let value = m[condition.group], condition.holds(for: value) else { return .none }
                }
                return .hit(UserRuleHit(
                    ruleID: rule.definition.id, kind: rule.definition.kind, severity: rule.definition.severity,
                    message: UserRules.fill(rule.definition.message) { m[$0] ?? "" }))
            }
        }
    }

    /// The `{name}` placeholders of a message template.
    static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = after[..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.append(String(name)) }
            rest = after[after.index(after: close)...]
        }
        return names
    }

    /// The template with each `{name}` replaced; other braces stay as they are.
    static func fill(_ template: String, _ value: (String) -> String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), !after[..<close].isEmpty,
               after[..<close].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                out += value(String(after[..<close]))
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }

    static func readRulesFile(_ path: String) throws(RulesError) -> [UInt8] {
        var stream: InputStream
        do {
            stream = try InputStream.open(path)
        } catch {
            throw RulesError(file: path, message: error.reason.rawValue, unreadable: true)
        }
        defer { stream.close() }
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n: Int
            do { n = try stream.read(into: chunk) } catch { throw RulesError(file: path, message: error.description) }
            if n == 0 { break }
            bytes += chunk.prefix(n)
            if bytes.count > RuleFile.maxBytes { throw RulesError(file: path, message: "larger than \(RuleFile.maxBytes >> 20) MiB") }
        }
        return bytes
    }
}
