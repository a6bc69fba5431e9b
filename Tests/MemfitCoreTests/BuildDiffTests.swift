import Foundation
import Testing

@testable import MemfitCore

func buildLog(_ name: String) throws -> BuildLog {
    var source = try InputStream.open(Fixtures.url("builds/" + name).path)
    defer { source.close() }
    return try BuildLogParser().parse(&source, name: name)
}

@Suite struct BuildDiffTests {
    /// p13 (cases.json): `changed` holds exactly the four buildpacks, with their versions.
    @Test func p13ChangedExactlyFourBuildpacks() throws {
        let diff = BuildDiff(passing: try buildLog("p13-build-pass.log"), failing: try buildLog("p13-build-fail.log"))
        #expect(diff.changed == [
            .init(id: "paketo-buildpacks/bellsoft-liberica", from: "10.2.3", to: "10.2.4"),
            .init(id: "paketo-buildpacks/syft", from: "1.30.1", to: "1.31.0"),
            .init(id: "paketo-buildpacks/dist-zip", from: "5.6.2", to: "5.6.3"),
            .init(id: "paketo-buildpacks/spring-boot", from: "5.25.1", to: "5.25.2"),
        ])
        #expect(diff.added.isEmpty && diff.removed.isEmpty)
        #expect(diff.memoryRelevant.map(\.id) == ["paketo-buildpacks/bellsoft-liberica", "paketo-buildpacks/spring-boot"])
        #expect(diff.knownChanges.first?.contains("changed nothing the calculator uses") == true)
        let json = try JSONSerialization.jsonObject(with: Data(DiffReport.json(diff, passing: "a", failing: "b").utf8)) as? [String: Any]
        #expect((json?["changed"] as? [String: [String]])?.count == 4)
        #expect(((json?["findings"] as? [[String: Any]])?.first?["kind"] as? String) == "buildpack-diff")
    }

    /// Each build tool's prefix style, and the old header names (kpack fixture).
    @Test(arguments: ["pack", "pack-creator", "maven", "gradle", "kpack"])
    func readsEveryBuildToolStyle(_ style: String) throws {
        let pass = try buildLog("\(style)-pass.log"), fail = try buildLog("\(style)-fail.log")
        #expect(pass.buildpacks.map(\.id) == [
            "paketo-buildpacks/ca-certificates", "paketo-buildpacks/bellsoft-liberica", "paketo-buildpacks/syft",
            "paketo-buildpacks/spring-boot",
        ])
        #expect(pass.jre == "BellSoft Liberica JRE 17.0.6")
        #expect(pass.value(of: "BPL_JVM_THREAD_COUNT") == "250")
        let diff = BuildDiff(passing: pass, failing: fail)
        #expect(diff.changed.map(\.id) == ["paketo-buildpacks/bellsoft-liberica", "paketo-buildpacks/syft"])
        #expect(diff.memoryRelevant.map(\.id) == ["paketo-buildpacks/bellsoft-liberica", "jre"])
        if style == "maven" || style == "gradle" {
            #expect(pass.lifecycleVersion == "0.16.5" && fail.lifecycleVersion == "0.17.0")
            #expect(diff.components.map(\.id) == ["jre", "lifecycle", "builder-digest"])
        }
    }

    @Test func anUnrelatedChangeIsNotMemoryRelevant() throws {
        let diff = BuildDiff(passing: try buildLog("unrelated-pass.log"), failing: try buildLog("unrelated-fail.log"))
        #expect(diff.changed.map(\.id) == ["paketo-buildpacks/syft"])
        #expect(!diff.hasMemoryRelevantChange)
    }

    /// Two identical builds: no change, so no advice on pinning buildpacks (a tester saw it printed anyway).
    @Test func identicalBuildsGiveNoPinningAdvice() throws {
        let log = try buildLog("unrelated-pass.log")
        let same = BuildDiff(passing: log, failing: log)
        #expect(same.isEmpty && same.notes.isEmpty)
        #expect(!DiffReport.text(same, passing: "a", failing: "a").contains("Reverting the code"))
        let changed = BuildDiff(passing: log, failing: try buildLog("unrelated-fail.log"))
        #expect(changed.notes.last == BuildDiff.revertTrap)
    }

    @Test func aChangedLaunchDefaultIsMemoryRelevant() throws {
        let diff = BuildDiff(passing: try buildLog("unrelated-pass.log"), failing: try buildLog("threads-fail.log"))
        #expect(diff.components == [.init(id: "$BPL_JVM_THREAD_COUNT", from: "250", to: "50")])
        #expect(diff.memoryRelevant.map(\.id) == ["$BPL_JVM_THREAD_COUNT"])
    }

    /// With the failing build's run logs, the diff names the suspect change and the class-count rise.
    @Test func suspectChangeFromRunLogs() throws {
        let diff = BuildDiff(passing: try buildLog("pack-pass.log"), failing: try buildLog("pack-fail.log"))
        let run = try Analyzer().analyze(paths: [Fixtures.url("nearmiss/drift-three-starts.log").path], options: DiagnosisOptions())
        #expect(diff.suspect(runFindings: run.findings) == "Suspect change: bellsoft-liberica 10.2.3 → 10.2.4 changed the JRE "
            + "from BellSoft Liberica JRE 17.0.6 to BellSoft Liberica JRE 17.0.7; the class count rose by 340 (18,840 → 19,180).")
        #expect(diff.knownChanges.isEmpty)  // the JRE did change here, unlike the real 10.2.4 release
        let result = try runMemfit(["diff", Fixtures.url("builds/pack-pass.log").path, Fixtures.url("builds/pack-fail.log").path,
                                    "--run", Fixtures.url("nearmiss/drift-three-starts.log").path])
        #expect(result.stdout.contains("Suspect change: bellsoft-liberica"))
    }

    @Test func exitStatusOfTheCommand() throws {
        let relevant = try runMemfit(["diff", Fixtures.url("builds/p13-build-pass.log").path, Fixtures.url("builds/p13-build-fail.log").path])
        #expect(relevant.status == 2)
        #expect(relevant.stdout.contains("paketo-buildpacks/bellsoft-liberica 10.2.3 → 10.2.4"))
        let unrelated = try runMemfit(["diff", Fixtures.url("builds/unrelated-pass.log").path, Fixtures.url("builds/unrelated-fail.log").path])
        #expect(unrelated.status == 0)
        #expect(try runMemfit(["diff", "only-one.log"]).status == 64)
        #expect(try runMemfit(["diff", "/nonexistent/a", "/nonexistent/b"]).status == 66)
        // Not build logs at all: said on stderr and exit 66 (it was 0, as if nothing had changed).
        let notBuilds = try runMemfit(["diff", "/dev/null", Fixtures.url("p01-seed-console-paste.txt").path])
        #expect(notBuilds.status == 66)
        #expect(notBuilds.stderr.contains("/dev/null: no buildpacks found"))
    }
}
