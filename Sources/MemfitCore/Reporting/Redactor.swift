/// Masks secrets in quoted log text before it reaches any report: reports get pasted into tickets and chat.
/// Only text is touched; the figures of the diagnosis come from the facts and never change.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"

    struct Rule: Sendable {
        let id: String
        let pattern: PCRE2Pattern
    }

    /// Each rule masks its `secret` group (or the whole match). Patterns are data, as in the catalogue.
    static let ruleSources: [(id: String, pattern: String, caseless: Bool)] = [
        ("aws-access-key-id", #"\b(?<secret>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\b"#, false),
        ("aws-secret-access-key",
         #"(?:aws_secret_access_key|secretaccesskey|aws_secret_key)["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#, true),
        ("jvm-option-secret",
         #"-D[\w.-]*(?:password|passwd|pwd|pass|secret|token|api[-_.]?key|credentials?)[\w.-]*=(?<secret>"[^"]*"|'[^']*'|\S+)"#, true),
        ("authorization-header", #"\bAuthorization\s*:\s*(?:Basic|Bearer|Token|Digest)\s+(?<secret>\S+)"#, true),
        // Key names in any style: DB_PASSWORD, aws_session_token, "accessToken", clientSecret, api.key; values bare,
        // quoted (spaces and all) or quoted inside a JSON string (\"…\").
        ("key-value-secret",
         #"[\w.-]*(?:password|passwd|pwd|secret|token|api[-_.]?key|credential)[\w.-]*\\?["']?\s*[:=]\s*(?<secret>\\"(?:[^"\\]|\\[^"])*\\"|"[^"]*"|'[^']*'|[^\s"',;&}]{3,})"#, true),
        ("bearer-token", #"\bBearer\s+(?<secret>[A-Za-z0-9._~+/=-]{8,})"#, true),
        ("jwt", #"\b(?<secret>eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,})"#, false),
        // user:password@ (the password may hold '/' or '@': up to the last '@' before the host), or a bare token@.
        ("url-credentials", #"\b[a-z][a-z0-9+.-]*://(?<secret>[^\s/:@]*:\S*?)@(?=[^\s@]*(?:[\s/]|$))"#, true),
        ("url-token", #"\b[a-z][a-z0-9+.-]*://(?<secret>[^\s/:@]{8,})@"#, true),
    ]
    static let accountRule = ("arn-account", #"\barn:aws[\w-]*:[\w-]+:[\w-]*:(?<secret>\d{12}):"#, false)

    let rules: [Rule]

    public init(accounts: Bool = false) throws(PCRE2Pattern.CompileError) {
        var rules: [Rule] = []
        for source in Redactor.ruleSources + (accounts ? [Redactor.accountRule] : []) {
            rules.append(Rule(id: source.id, pattern: try PCRE2Pattern(source.pattern, caseless: source.caseless)))
        }
        self.rules = rules
    }

    public func redact(_ text: String, matcher: PCRE2Matcher) -> String {
        var out = text
        for rule in rules { out = matcher.replacingMatches(of: rule.pattern, in: out, with: Redactor.mask) }
        return out
    }

    /// The report with every quoted text masked: evidence, details, sources and vendors. Figures are untouched.
    public func redact(_ report: AnalysisReport) -> AnalysisReport {
        let matcher = PCRE2Matcher()
        var report = report
        for i in report.findings.indices {
            report.findings[i].evidence = report.findings[i].evidence.map { e in
                Evidence(input: e.input, line: e.line, text: redact(e.text, matcher: matcher), timestamp: e.timestamp)
            }
            report.findings[i].detail = report.findings[i].detail.map { redact($0, matcher: matcher) }
            report.findings[i].source = report.findings[i].source.map { redact($0, matcher: matcher) }
            report.findings[i].vendor = report.findings[i].vendor.map { redact($0, matcher: matcher) }
        }
        return report
    }
}
