/// What a Cloud Native Buildpacks build log says about the image it built: the buildpacks and their versions,
/// the JRE, the lifecycle and builder, and the launch-configuration defaults. Read from `pack build`, Maven
/// `spring-boot:build-image`, Gradle `bootBuildImage`, kpack and lifecycle logs, with or without their prefixes.
public struct BuildLog: Sendable, Equatable {
    /// Buildpack id → version, in the order first seen (DETECTING list, then BUILDING headers).
    public var buildpacks: [(id: String, version: String)] = []
    /// "BellSoft Liberica JRE 17.0.7"
    public var jre: String?
    public var lifecycleVersion: String?
    public var builderImage: String?
    public var builderDigest: String?
    /// `$BPL_…` (and `$BP_…`) rows of the configuration tables, name → value.
    public var configuration: [(name: String, value: String)] = []
    /// What was left out: past `BuildLogParser.maxEntries` buildpacks or rows, the rest are not kept.
    public var notes: [String] = []

    public static func == (a: BuildLog, b: BuildLog) -> Bool {
        a.buildpacks.map { "\($0.id)@\($0.version)" } == b.buildpacks.map { "\($0.id)@\($0.version)" } && a.jre == b.jre
            && a.lifecycleVersion == b.lifecycleVersion && a.builderImage == b.builderImage && a.builderDigest == b.builderDigest
            && a.configuration.map { "\($0.name)=\($0.value)" } == b.configuration.map { "\($0.name)=\($0.value)" }
    }

    func version(of id: String) -> String? { buildpacks.first { $0.id == id }?.version }
    func value(of name: String) -> String? { configuration.first { $0.name == name }?.value }
}

/// The line shapes of build logs, compiled once.
public struct BuildLogParser: Sendable {
    let prefix: PCRE2Pattern
    let detected: PCRE2Pattern
    let header: PCRE2Pattern
    let url: PCRE2Pattern
    let runtime: PCRE2Pattern
    let lifecycle: PCRE2Pattern
    let builder: PCRE2Pattern
    let digest: PCRE2Pattern
    let configRow: PCRE2Pattern

    public init() throws(PCRE2Pattern.CompileError) {
        // Maven "[INFO]     [creator]     ", Gradle "    [creator]     ", pack "[builder] ", kpack step names.
        prefix = try PCRE2Pattern(
            #"^\s*(?:\[INFO\]\s+)?(?:\[(?:creator|builder|detector|analyzer|restorer|exporter|extender|build|detect|prepare|analyze|restore|export|completion)\]\s?)?\s*"#)
        detected = try PCRE2Pattern(#"^(?<id>[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._/-]*)\s+(?<version>\d+\.\d+\.\d+[\w.+-]*)\s*$"#)
        // New headers: "Paketo Buildpack for BellSoft Liberica 10.2.3"; old: "Paketo BellSoft Liberica Buildpack 10.2.3".
        header = try PCRE2Pattern(#"^(?<name>Paketo (?:Buildpack for .+?|.+? Buildpack)) (?<version>\d+\.\d+\.\d+[\w.+-]*)\s*$"#)
        url = try PCRE2Pattern(#"^https://github\.com/(?<id>[A-Za-z0-9._-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?\s*$"#)
        runtime = try PCRE2Pattern(#"^(?<jre>.+? (?:JRE|JDK|Native Image|NIK) \d[\w.+-]*): (?:Contributing|Reusing|Reusing cached)"#)
        lifecycle = try PCRE2Pattern(#"(?:lifecycle version|Lifecycle Version:?|lifecycle)\s+v?(?<version>\d+\.\d+\.\d+)"#, caseless: true)
        builder = try PCRE2Pattern(#"(?:builder image|Builder:?)\s+'?(?<image>[\w./:-]+?)(?:@sha256:(?<digest>[0-9a-f]{64}))?'?(?:\s|$)"#, caseless: true)
        digest = try PCRE2Pattern(#"@sha256:(?<digest>[0-9a-f]{64})"#)
        configRow = try PCRE2Pattern(#"^\$(?<name>BPL?_[A-Z0-9_]+)\s+(?<value>.+?)(?:\s{2,}(?<description>.*))?$"#)
    }

    /// Distinct buildpacks, and distinct configuration rows, kept from one log: a real build has a few dozen, so
    /// past this the log is not a build log, and memory stays bounded whatever its size.
    public static let maxEntries = 10_000

    /// Reads one build log. Unknown lines are ignored; errors reading the input propagate.
    /// Buildpacks and rows are looked up by key (a linear search per line made an 80,000-line log take 23 s).
    public func parse<Source: ByteSource>(_ source: inout Source, name: String) throws(InputError) -> BuildLog {
        var log = BuildLog()
        var index: [String: Int] = [:]  // buildpack id → its place in log.buildpacks
        var rows: Set<String> = []  // configuration names kept
        var (droppedBuildpacks, droppedRows) = (false, false)
        let matcher = PCRE2Matcher()
        var pendingHeader: String?
        var stats = LineReader.Stats()
        try LineReader().forEachLine(in: &source, stats: &stats) { raw, _, _ in
            var text = LineCleaner.removeControls(String(decoding: LineCleaner.stripEscapeSequences(raw), as: UTF8.self))
            if let m = matcher.matches(prefix, text) {
                text = String(decoding: Array(text.utf8)[m.whole.upperBound...], as: UTF8.self)
            }
            text = text.trimmingBlanks()
            if text.isEmpty { return }
            if let m = matcher.matches(detected, text), let id = m["id"], let version = m["version"] {
                add(id, version, to: &log, index: &index, dropped: &droppedBuildpacks)
            } else if let m = matcher.matches(header, text) {
                pendingHeader = m["version"]
            } else if let m = matcher.matches(url, text), let id = m["id"], let version = pendingHeader {
                add(id.lowercased(), version, to: &log, index: &index, dropped: &droppedBuildpacks)
                pendingHeader = nil
            } else if let m = matcher.matches(runtime, text), log.jre == nil {
                log.jre = m["jre"]
            } else if let m = matcher.matches(configRow, text), let name = m["name"], let value = m["value"] {
                if !rows.contains(name) {
                    if rows.count < BuildLogParser.maxEntries {
                        rows.insert(name)
                        log.configuration.append((name, value))
                    } else {
                        droppedRows = true
                    }
                }
            } else {
                if log.lifecycleVersion == nil, let m = matcher.matches(lifecycle, text) { log.lifecycleVersion = m["version"] }
                if log.builderImage == nil, let m = matcher.matches(builder, text), let image = m["image"], image.contains("/") {
                    log.builderImage = image
                }
                if log.builderDigest == nil, text.lowercased().contains("builder"), let m = matcher.matches(digest, text) {
                    log.builderDigest = m["digest"]
                }
            }
        }
        let limit = BuildLogParser.maxEntries
        if droppedBuildpacks { log.notes.append("\(name): more than \(limit) buildpacks; only the first \(limit) are compared.") }
        if droppedRows { log.notes.append("\(name): more than \(limit) configuration rows; only the first \(limit) are compared.") }
        return log
    }

    private func add(_ id: String, _ version: String, to log: inout BuildLog, index: inout [String: Int], dropped: inout Bool) {
        if let i = index[id] {
            log.buildpacks[i].version = version  // the BUILDING header confirms or corrects the DETECTING list
        } else if log.buildpacks.count < BuildLogParser.maxEntries {
            index[id] = log.buildpacks.count
            log.buildpacks.append((id, version))
        } else {
            dropped = true
        }
    }
}
