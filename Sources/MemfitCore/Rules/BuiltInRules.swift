/// The built-in catalogue in the `--rules` format: `memfit rules list --format json` prints it, and
/// `rules/builtin.json` in the repository is that output (a test keeps them the same), so a user can start a rule
/// from a built-in one. Built-in lines are diagnosed by memfit itself; `kind` is what the line means.
public enum BuiltInRules {
    public static func definitions(_ catalogue: [CatalogueEntry] = PatternCatalogue.builtIn) -> [RuleDefinition] {
        catalogue.map { entry in
            RuleDefinition(
                id: entry.id, pattern: entry.pattern, kind: kebab(entry.kind.rawValue), severity: severity(entry.kind),
                message: "built in: memfit diagnoses this line itself", when: [], samples: [entry.sample],
                literal: entry.literal, caseless: entry.caseless)
        }
    }

    /// The rules as a `--rules` file.
    public static func json(_ definitions: [RuleDefinition]) -> String {
        JSONValue.object([("rules", .array(definitions.map { d in
            var fields: [(String, JSONValue)] = [
                ("id", .string(d.id)), ("kind", .string(d.kind)), ("severity", .string(d.severity.rawValue)),
                ("pattern", .string(d.pattern)),
            ]
            if let literal = d.literal { fields.append(("literal", .string(literal))) }
            if d.caseless { fields.append(("caseless", .bool(true))) }
            fields.append(("message", .string(d.message)))
            if !d.when.isEmpty { fields.append(("when", .array(d.when.map { .string($0.text) }))) }
            fields.append(("samples", .array(d.samples.map { .string($0) })))
            return .object(fields)
        }))]).serialized()
    }

    /// What a built-in line means for the container: the failures, the warnings, and the rest.
    static func severity(_ kind: MessageKind) -> Severity {
        switch kind {
        case .regionsDoNotFit, .execdMemoryCalculatorFailed, .execdOtherFailed, .launcherFailed, .calculatorError,
             .jvmOutOfMemory, .containerOOMKilled, .calculationFailedHeader, .jvmOptionRejected:
            return .failure
        case .memoryQuotaExceeded, .limitUnset, .limitTooLarge, .limitUnconvertible, .sizedFromAvailableMemory,
             .availableMemoryLink:
            return .warning
        case .calculatedConfiguration, .testcontainersDump, .launchSettingAtBuild, .javaToolOptions, .stagingSettings, .processExited:
            return .info
        }
    }

    static func kebab(_ camel: String) -> String {
        var out = ""
        for c in camel {
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
