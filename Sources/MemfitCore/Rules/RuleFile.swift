/// A rule as written in a `--rules` file: the same model as the built-in catalogue (a pattern with named groups,
/// and samples it must match), plus what to report. `memfit rules list --format json` prints the built-ins in it.
///
/// ```json
/// {"rules": [{"id": "acme-native-oom", "kind": "native-oom", "severity": "failure",
///             "pattern": "native allocation of (?<size>\\d+[KMG]) failed", "literal": "native allocation",
///             "message": "a native allocation of {size} failed", "when": ["size >= 64M"],
///             "samples": ["native allocation of 128M failed"]}]}
/// ```
public struct RuleDefinition: Sendable, Equatable {
    public var id: String
    public var pattern: String
    /// The finding kind reported, lowercase words joined by `-`.
    public var kind: String
    public var severity: Severity
    /// What the finding says; `{group}` is replaced with the named group's text.
    public var message: String
    /// All must hold for a match to count, e.g. `threads > 200`, `heap < 64M`.
    public var when: [RuleCondition]
    /// Lines the pattern must match (and its conditions accept); at least one.
    public var samples: [String]
    /// A substring every matching line holds, for the fast prefilter. Without one, every line is matched.
    public var literal: String?
    public var caseless: Bool
}

/// `group OP value`: compares a named group, read as a whole number or a memory size, with a constant.
public struct RuleCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable { case le = "<=", ge = ">=", ne = "!=", eq = "==", lt = "<", gt = ">" }
    public var group: String
    public var op: Op
    public var value: Int64
    /// The value had a size suffix, so the group is read as a size in bytes too.
    public var isSize: Bool
    public var text: String
    public var description: String { text }

    /// Parses `threads > 200` or `heap<64M`; nil when it is not of that shape.
    public init?(_ text: String) {
        let trimmed = text.trimmingBlanks()
        guard let op = Op.allCases.first(where: { trimmed.contains($0.rawValue) }),
              let range = trimmed.firstRange(of: op.rawValue) else { return nil }
        let group = String(trimmed[..<range.lowerBound]).trimmingBlanks()
        let valueText = String(trimmed[range.upperBound...]).trimmingBlanks()
        guard !group.isEmpty, group.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        if let number = Int64(valueText) {
            (value, isSize) = (number, false)
        } else if let size = MemorySize(parsing: valueText, allowByteSuffix: true) {
            (value, isSize) = (size.bytes, true)
        } else {
            return nil
        }
        (self.group, self.op, self.text) = (group, op, trimmed)
    }

    /// Whether the group's text satisfies the condition; text that is not a number (or size) never does.
    public func holds(for groupText: String) -> Bool {
        let actual: Int64?
        if isSize {
            actual = MemorySize(parsing: groupText, allowByteSuffix: true)?.bytes
        } else {
            actual = Int64(groupText)
        }
        guard let actual else { return false }
        switch op {
        case .lt: return actual < value
        case .le: return actual <= value
        case .gt: return actual > value
        case .ge: return actual >= value
        case .eq: return actual == value
        case .ne: return actual != value
        }
    }
}

/// A rules file that cannot be used: names the file, the rule, and for a pattern the PCRE2 error offset.
public struct RulesError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var ruleID: String?
    public var message: String
    public var patternOffset: Int?
    /// The file could not be read at all (missing, a directory, no permission), rather than being invalid.
    public var unreadable = false

    public var description: String {
        var text = file + ":"
        if let ruleID { text += " rule '\(ruleID)':" }
        text += " " + message
        if let patternOffset { text += " (pattern offset \(patternOffset))" }
        return text
    }
}

public enum RuleFile {
    /// Rules files are small; a bigger one is a mistake, not a rules file.
    public static let maxBytes = 4 << 20
    /// Samples are examples, not a corpus: every one is matched (and the first few probed for backtracking) on
    /// each `rules check` and load, so 100,000 of them took half a minute.
    public static let maxSamples = 100

    /// Reads `{"rules": [...]}` or a bare array of rules. Checks the shape of every field; patterns are compiled
    /// by `UserRules`.
    public static func parse(_ bytes: [UInt8], file: String) throws(RulesError) -> [RuleDefinition] {
        let document: JSONNode
        do {
            document = try JSONNode.parse(bytes)
        } catch {
            let detail: String
            switch error {
            case .syntax(let syntax): detail = syntax.description
            case .input(let input): detail = input.description
            }
            throw RulesError(file: file, message: "not valid JSON: \(detail)")
        }
        let list: [JSONNode]
        switch document {
        case .array(let items): list = items
        case .object(let fields):
            guard case .array(let items)? = fields.first(where: { $0.0 == "rules" })?.1 else {
                throw RulesError(file: file, message: "expected {\"rules\": [...]} or an array of rules")
            }
            list = items
        default: throw RulesError(file: file, message: "expected {\"rules\": [...]} or an array of rules")
        }
        var rules: [RuleDefinition] = []
        var seen: Set<String> = []
        for (index, item) in list.enumerated() {
            guard case .object(let fields) = item else {
                throw RulesError(file: file, message: "rule \(index + 1) is not an object")
            }
            func string(_ key: String) -> String? {
                if case .string(let s)? = fields.first(where: { $0.0 == key })?.1 { return s }
                return nil
            }
            guard let id = string("id"), !id.isEmpty else {
                throw RulesError(file: file, message: "rule \(index + 1) has no \"id\" string")
            }
            func fail(_ message: String) -> RulesError { RulesError(file: file, ruleID: id, message: message) }
            let known: Set = ["id", "pattern", "kind", "severity", "message", "when", "samples", "literal", "caseless", "generation"]
            if let unknown = fields.first(where: { !known.contains($0.0) }) { throw fail("unknown field \"\(unknown.0)\"") }
            guard seen.insert(id).inserted else { throw fail("the id is used twice") }
            guard let pattern = string("pattern"), !pattern.isEmpty else { throw fail("needs a \"pattern\" string") }
            guard let kind = string("kind"), isKindName(kind) else {
                throw fail("needs a \"kind\" of lowercase words joined by '-', e.g. \"native-oom\"")
            }
            guard let severity = string("severity").flatMap(Severity.init(rawValue:)) else {
                throw fail("needs a \"severity\": info, warning or failure")
            }
            var conditions: [RuleCondition] = []
            if let when = fields.first(where: { $0.0 == "when" })?.1 {
                guard case .array(let items) = when else { throw fail("\"when\" must be an array of strings like \"threads > 200\"") }
                for item in items {
                    guard case .string(let text) = item, let condition = RuleCondition(text) else {
                        throw fail("\"when\" must be an array of strings like \"threads > 200\" or \"heap < 64M\"")
                    }
                    conditions.append(condition)
                }
            }
            guard case .array(let sampleNodes)? = fields.first(where: { $0.0 == "samples" })?.1, !sampleNodes.isEmpty else {
                throw fail("needs \"samples\": at least one line the pattern must match")
            }
            guard sampleNodes.count <= RuleFile.maxSamples else {
                throw fail("has \(sampleNodes.count) samples; at most \(RuleFile.maxSamples) (a few typical lines are enough)")
            }
            var samples: [String] = []
            for node in sampleNodes {
                guard case .string(let sample) = node else { throw fail("\"samples\" must hold strings") }
                samples.append(sample)
            }
            var caseless = false
            if let node = fields.first(where: { $0.0 == "caseless" })?.1 {
                guard case .bool(let b) = node else { throw fail("\"caseless\" must be true or false") }
                caseless = b
            }
            let literal = string("literal")
            if literal?.isEmpty == true { throw fail("\"literal\" must not be empty") }
            rules.append(RuleDefinition(
                id: id, pattern: pattern, kind: kind, severity: severity, message: string("message") ?? "\(kind) (rule \(id))",
                when: conditions, samples: samples, literal: literal, caseless: caseless))
        }
        return rules
    }

    static func isKindName(_ kind: String) -> Bool {
        guard let first = kind.unicodeScalars.first, ("a"..."z").contains(first), kind.count <= 64 else { return false }
        return kind.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// A whole JSON document in memory, for the small files memfit reads whole (rules); log documents stream instead.
indirect enum JSONNode: Sendable {
    case object([(String, JSONNode)])
    case array([JSONNode])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func parse(_ bytes: [UInt8]) throws(JSONStreamError) -> JSONNode {
        var tokenizer = JSONTokenizer(source: BytesSource(bytes))
        defer { tokenizer.release() }
        // Containers being built, innermost last, each with the key its value will go under. Members are appended
        // to the open container in place (an enum payload taken out, appended to and put back was copied on every
        // append: a 100,000-element array took a minute).
        struct Open {
            var isObject: Bool
            var key: String?
            var fields: [(String, JSONNode)] = []
            var items: [JSONNode] = []
            var node: JSONNode { isObject ? .object(fields) : .array(items) }
        }
        var stack: [Open] = []
        var pendingKey: String?
        var result: JSONNode?
        func add(_ value: JSONNode) {
            guard let top = stack.indices.last else {
                result = result ?? value
                return
            }
            if stack[top].isObject {
                stack[top].fields.append((pendingKey ?? "", value))
            } else {
                stack[top].items.append(value)
            }
            pendingKey = nil
        }
        while let token = try tokenizer.next() {
            switch token {
            case .objectStart, .arrayStart:
                stack.append(Open(isObject: token == .objectStart, key: pendingKey))
                pendingKey = nil
            case .objectEnd, .arrayEnd:
                let open = stack.removeLast()
                pendingKey = open.key
                add(open.node)
            case .key(let k): pendingKey = k
            case .string(let s): add(.string(s))
            case .number(let n): add(.number(n))
            case .bool(let b): add(.bool(b))
            case .null: add(.null)
            }
        }
        guard let result else { throw .syntax(JSONSyntaxError(offset: 0, message: "empty document")) }
        return result
    }
}
