/// What changed between a build whose image started and one whose image did not, and which changes can move the
/// memory calculator's figures.
public struct BuildDiff: Sendable {
    public struct Change: Sendable, Equatable {
        public var id: String
        public var from: String
        public var to: String
    }

    public var changed: [Change] = []
    public var added: [(id: String, version: String)] = []
    public var removed: [(id: String, version: String)] = []
    /// Other components: "jre", "lifecycle", "builder", "builder-digest", and `$BPL_…` rows.
    public var components: [Change] = []
    /// Ids (of buildpacks or components) whose change can change memory, each with why.
    public var memoryRelevant: [(id: String, why: String)] = []

    public var hasMemoryRelevantChange: Bool { !memoryRelevant.isEmpty }
    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty && components.isEmpty }
    /// What to know about the changes; the advice on pinning only when something did change.
    public var notes: [String] { limits + (isEmpty ? knownChanges : knownChanges + [BuildDiff.revertTrap]) }
    /// What the logs left out (past `BuildLogParser.maxEntries`), so the diff is not taken as complete.
    public var limits: [String] = []

    /// JVM vendor buildpacks ship the calculator and the JRE (memory-calculator.md §3.2).
    public static let jvmVendors: Set<String> = [
        "bellsoft-liberica", "adoptium", "azul-zulu", "amazon-corretto", "microsoft-openjdk", "sap-machine", "graalvm",
        "oracle", "alibaba-dragonwell", "eclipse-openj9", "jvm-vendors",
    ]

    /// Looks buildpacks and rows up by key (a linear search per entry was quadratic in the logs' size); the order of
    /// every list is the logs' order.
    public init(passing: BuildLog, failing: BuildLog) {
        limits = passing.notes + failing.notes
        let passingVersions = BuildDiff.firstByKey(passing.buildpacks.map { ($0.id, $0.version) })
        let failingVersions = BuildDiff.firstByKey(failing.buildpacks.map { ($0.id, $0.version) })
        for bp in failing.buildpacks {
            if let old = passingVersions[bp.id] {
                if old != bp.version { changed.append(Change(id: bp.id, from: old, to: bp.version)) }
            } else {
                added.append(bp)
            }
        }
        removed = passing.buildpacks.filter { failingVersions[$0.id] == nil }

        func component(_ id: String, _ a: String?, _ b: String?) {
            if a != b { components.append(Change(id: id, from: a ?? "(not in the log)", to: b ?? "(not in the log)")) }
        }
        component("jre", passing.jre, failing.jre)
        component("lifecycle", passing.lifecycleVersion, failing.lifecycleVersion)
        component("builder", passing.builderImage, failing.builderImage)
        component("builder-digest", passing.builderDigest, failing.builderDigest)
        let passingValues = BuildDiff.firstByKey(passing.configuration.map { ($0.name, $0.value) })
        let failingValues = BuildDiff.firstByKey(failing.configuration.map { ($0.name, $0.value) })
        var seen: Set<String> = []
        for name in passing.configuration.map(\.name) + failing.configuration.map(\.name)
        where name.hasPrefix("BPL_") && seen.insert(name).inserted {
            component("$" + name, passingValues[name], failingValues[name])
        }

        for c in changed + added.map({ Change(id: $0.id, from: "", to: $0.version) }) {
            let short = c.id.split(separator: "/").last.map(String.init) ?? c.id
            if BuildDiff.jvmVendors.contains(short) {
                memoryRelevant.append((c.id, "a JVM vendor buildpack: it ships the memory calculator and the JRE, whose class count feeds metaspace"))
            } else if short == "spring-boot" {
                memoryRelevant.append((c.id, "sets the thread-count default (50 for reactive and non-web apps, 250 for servlet apps)"))
            }
        }
        for c in components where c.id == "jre" {
            memoryRelevant.append(("jre", "each JRE version has its own class count, so metaspace changes"))
        }
        for c in components where c.id.hasPrefix("$BPL_JVM") {
            memoryRelevant.append((c.id, "a launch default the calculator reads"))
        }
    }

    /// Id → why it can change memory (the first reason given), for lookups per row.
    public var reasonByID: [String: String] { BuildDiff.firstByKey(memoryRelevant.map { ($0.id, $0.why) }) }

    /// Key → the first value under it, as `first(where:)` would find it.
    static func firstByKey(_ pairs: [(String, String)]) -> [String: String] {
        Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    /// What is known about specific version changes (memory-calculator.md §4).
    public var knownChanges: [String] {
        changed.compactMap { c in
            // What the release notes say holds only if the logs agree (the same JRE on both sides).
            if c.id == "paketo-buildpacks/bellsoft-liberica" && c.from == "10.2.3" && c.to == "10.2.4",
               !components.contains(where: { $0.id == "jre" }) {
                return "bellsoft-liberica 10.2.3 → 10.2.4 changed nothing the calculator uses: libjvm v1.42.0 → v1.43.1 (only "
                    + "the OpenSSL certificate helper changed) and the same JREs (8.0.372, 11.0.19, 17.0.7, 20.0.1). The same app "
                    + "with the same threads and memory computes the same figures; look at the app's classes, the thread count "
                    + "and, above all, whether the memory the calculator saw was a limit or free memory."
            }
            return nil
        }
    }

    /// Names the change most likely behind a failed launch, from the run logs' findings: a JVM vendor or JRE change
    /// first, then the thread-count defaults; with the class counts the runs show.
    public func suspect(runFindings: [Finding]) -> String? {
        guard runFindings.contains(where: { $0.kind == .calculatorFailure || $0.kind == .calculatorNearMiss }) else { return nil }
        var parts: [String] = []
        let reasons = reasonByID
        for c in changed where reasons[c.id] != nil {
            let short = c.id.split(separator: "/").last.map(String.init) ?? c.id
            var text = "\(short) \(c.from) → \(c.to)"
            if BuildDiff.jvmVendors.contains(short), let jre = components.first(where: { $0.id == "jre" }) {
                text += " changed the JRE from \(jre.from) to \(jre.to)"
            }
            parts.append(text)
        }
        for c in components where c.id.hasPrefix("$BPL_JVM") { parts.append("\(c.id) \(c.from) → \(c.to)") }
        guard !parts.isEmpty else {
            return "No buildpack or launch-default change explains the failure: look at the memory the calculator had "
                + "(free memory moves between starts) and at the application's own classes."
        }
        var text = "Suspect change: " + parts.joined(separator: "; ")
        if let counts = runFindings.compactMap(\.drift).first?.loadedClassCounts, counts.count >= 2,
           let first = counts.first, let last = counts.last, last != first {
            text += "; the class count \(last > first ? "rose" : "fell") by \(groupedThousands(abs(last - first))) "
                + "(\(groupedThousands(first)) → \(groupedThousands(last)))"
        } else if let classes = runFindings.compactMap(\.calculator?.loadedClassCount).first {
            text += "; the failing run assumed \(groupedThousands(classes)) loaded classes"
        }
        return text + "."
    }

    /// Why reverting the code did not help: a rebuild uses the builder's newest buildpacks.
    public static let revertTrap = "Reverting the code does not revert the buildpacks: rebuilding old code with the same "
        + "builder tag brings the newer buildpacks along. To pin them, name the builder by digest "
        + "(paketobuildpacks/builder-jammy-base@sha256:…) or pin each buildpack with `--buildpack id@version`."
}
