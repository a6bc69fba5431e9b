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
    ]

    @Test(arguments: cases.indices)
    func masksAndLeavesLookAlikes(_ i: Int) throws {
        let (line, masked, nearMiss) = Self.cases[i]
        let redactor = try Redactor()
        let matcher = PCRE2Matcher()
        #expect(redactor.redact(line, matcher: matcher) == masked)
        #expect(redactor.redact(nearMiss, matcher: matcher) == nearMiss)
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
