import Testing

@testable import MemfitCore

/// Each redaction rule with a line it must mask and a look-alike it must leave alone.
@Suite struct RedactorTests {
    static let cases: [(String, String, String)] = [
        // (line, expected with redaction, a near miss that stays as it is)
        ("key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used", "AKIA short"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=[REDACTED]",
         "aws_secret_access_key is not set"),
        ("Picked up JAVA_TOOL_OPTIONS: -Ddb.password=hunter2 -Xss1M", "Picked up JAVA_TOOL_OPTIONS: -Ddb.password=[REDACTED] -Xss1M",
         "-Dspring.profiles.active=prod -XX:MaxMetaspaceSize=120382K"),
        ("-Dapi.token='a b c' -Xmx1G", "-Dapi.token=[REDACTED] -Xmx1G", "-Dtoken.length.max -Xmx1G"),
        ("connect password: s3cr3t!", "connect password: [REDACTED]", "password reset requested"),
        ("Authorization: Bearer abcdefghijklmnop.qrst", "Authorization: Bearer [REDACTED]", "Bearer of bad news"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt [REDACTED]",
         "eyJ alone"),
        ("jdbc via https://admin:pa55w0rd@db.example.com/x", "jdbc via https://[REDACTED]@db.example.com/x",
         "https://db.example.com/x"),
        // Found by a tester: key names in other styles, quoted values with spaces, JSON inside a message, odd URLs.
        ("DB_PASSWORD=EnvPass11 AWS_SESSION_TOKEN=SessTok22", "DB_PASSWORD=[REDACTED] AWS_SESSION_TOKEN=[REDACTED]",
         "DB_HOST=db.internal"),
        (#"{"db_password":"UndPw4","accessToken":"CamelTok6"}"#, #"{"db_password":[REDACTED],"accessToken":[REDACTED]}"#,
         #"{"user":"alice"}"#),
        (#"password="correct horse battery" ok"#, "password=[REDACTED] ok", "password reset"),
        (#"{"password":"EscPw17"}"#, #"{"password":[REDACTED]}"#, #"{"user":"bob"}"#),
        ("redis://:RedisPw3@redis:6379", "redis://[REDACTED]@redis:6379", "redis://redis:6379"),
        ("https://bob:Pa/ss77@host/x", "https://[REDACTED]@host/x", "https://host/x:y"),
        ("https://carol:p@ss88@host", "https://[REDACTED]@host", "mailto carol@host"),
        ("https://ghp_TokTokTok@github.com", "https://[REDACTED]@github.com", "https://github.com"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]", "Basic setup done"),
        ("-Ddb.pass=Pw1 -Dapi.key=K2", "-Ddb.pass=[REDACTED] -Dapi.key=[REDACTED]", "-Ddb.host=x"),
    ]

    @Test(arguments: cases.indices)
    func masksAndLeavesLookAlikes(_ i: Int) throws {
        let (line, masked, nearMiss) = Self.cases[i]
        let redactor = try Redactor()
        let matcher = PCRE2Matcher()
        #expect(redactor.redact(line, matcher: matcher) == masked)
        #expect(redactor.redact(nearMiss, matcher: matcher) == nearMiss)
    }

    /// Regression: evidence was clipped before it was redacted, so a secret at the cut kept its value.
    @Test func redactionHappensBeforeClipping() throws {
        let line = HostileInputTests.fl + " " + String(repeating: "x", count: 800) + " password=TailLeak123456 " + String(repeating: "y", count: 231)
        let report = try Redactor().redact(try analyze(line)).clippingEvidence()
        let text = try #require(report.findings.first?.evidence.first?.text)
        #expect(!text.contains("TailLeak123456"))
        #expect(text.count <= FactExtractor.displayedEvidenceCharacters)
    }

    @Test func accountsOnlyWhenAsked() throws {
        let arn = "arn:aws:ecs:eu-west-2:111122223333:task/demo-cluster/7d8e"
        #expect(try Redactor().redact(arn, matcher: PCRE2Matcher()) == arn)
        #expect(try Redactor(accounts: true).redact(arn, matcher: PCRE2Matcher()) == "arn:aws:ecs:eu-west-2:[REDACTED]:task/demo-cluster/7d8e")
    }

    /// Redaction masks quoted text only: the diagnosis's figures stay exactly as they were.
    @Test func figuresAreUntouched() throws {
        let text = "-Ddb.password=120382K " + HostileInputTests.fl
        let report = try analyze(text)
        let redacted = try Redactor().redact(report)
        #expect(redacted.findings.first?.calculator == report.findings.first?.calculator)
        #expect(redacted.findings.first?.recommendation == report.findings.first?.recommendation)
        #expect(redacted.findings.first?.evidence.first?.text.hasPrefix("-Ddb.password=[REDACTED] fixed memory regions require 632382K") == true)
    }
}
