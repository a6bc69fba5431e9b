/// Output of `memfit diff`: what changed between two builds, and what of it can change memory.
public enum DiffReport {
    public static func json(_ d: BuildDiff, passing: String, failing: String, suspect: String? = nil) -> String {
        let changed = JSONValue.object(d.changed.map { ($0.id, .array([.string($0.from), .string($0.to)])) })
        let added = JSONValue.object(d.added.map { ($0.id, .string($0.version)) })
        let removed = JSONValue.object(d.removed.map { ($0.id, .string($0.version)) })
        let relevant = JSONValue.array(d.memoryRelevant.map { .string($0.id) })
        let components = JSONValue.object(d.components.map { ($0.id, .array([.string($0.from), .string($0.to)])) })
        let finding = JSONValue.object([
            ("kind", .string("buildpack-diff")),
            ("severity", .string(d.hasMemoryRelevantChange ? "warning" : "info")),
            ("changed", changed), ("added", added), ("removed", removed), ("memoryRelevant", relevant),
            ("components", components),
            ("notes", .array(d.notes.map { .string($0) })),
            ("suspect", .optional(suspect)),
        ])
        return JSONValue.object([
            ("schemaVersion", .int(1)),
            ("passing", .string(passing)), ("failing", .string(failing)),
            ("changed", changed), ("added", added), ("removed", removed), ("memoryRelevant", relevant),
            ("components", components),
            ("findings", .array([finding])),
        ]).serialized()
    }

    public static func text(_ d: BuildDiff, passing: String, failing: String, suspect: String? = nil) -> String {
        var out = ["memfit diff: \(passing) → \(failing)"]
        if d.isEmpty {
            out.append("No buildpack, JRE, lifecycle, builder or launch-default change.")
        }
        let reasons = d.reasonByID
        func line(_ c: BuildDiff.Change) -> String {
            let why = reasons[c.id].map { "  ← can change memory: \($0)" } ?? ""
            return "  \(c.id)  \(c.from) → \(c.to)\(why)"
        }
        if !d.changed.isEmpty { out.append("Changed:"); out += d.changed.map(line) }
        if !d.added.isEmpty { out.append("Added:"); out += d.added.map { "  \($0.id)  \($0.version)" } }
        if !d.removed.isEmpty { out.append("Removed:"); out += d.removed.map { "  \($0.id)  \($0.version)" } }
        if !d.components.isEmpty { out.append("Other components:"); out += d.components.map(line) }
        out.append(d.hasMemoryRelevantChange
            ? "Memory-relevant: \(d.memoryRelevant.map(\.id).joined(separator: ", "))."
            : "Nothing that changed can move the memory calculator's figures.")
        if let suspect { out.append(suspect) }
        out += d.notes
        return out.flatMap { line -> [String] in
            let indented = line.hasPrefix("  ")
            return TextLayout.wrap(
                Sanitizer.forTerminal(line), width: TextReporter.width, indent: indented ? "  " : "",
                hanging: indented ? "      " : "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func markdown(_ d: BuildDiff, passing: String, failing: String, suspect: String? = nil) -> String {
        var out = ["# memfit diff", "", "_\(Markdown.inline(passing)) → \(Markdown.inline(failing))_", ""]
        out += ["| Component | Passing | Failing | Can change memory |", "|---|---|---|---|"]
        let reasons = d.reasonByID
        func row(_ id: String, _ from: String, _ to: String) -> String {
            let why = reasons[id] ?? ""
            return "| \(Markdown.cell(id)) | \(Markdown.cell(from)) | \(Markdown.cell(to)) | \(Markdown.cell(why)) |"
        }
        out += d.changed.map { row($0.id, $0.from, $0.to) }
        out += d.added.map { row($0.id, "(absent)", $0.version) }
        out += d.removed.map { row($0.id, $0.version, "(absent)") }
        out += d.components.map { row($0.id, $0.from, $0.to) }
        out.append("")
        if let suspect { out += ["**" + Markdown.inline(suspect) + "**", ""] }
        for note in d.notes { out += [Markdown.prose(note), ""] }
        return out.joined(separator: "\n")
    }
}
