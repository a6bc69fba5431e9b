/// A small argument parser: `--name value`, `--name=value`, boolean flags and positional arguments.
struct Arguments {
    struct UsageError: Error { let message: String }

    private(set) var options: [String: String] = [:]
    private(set) var repeated: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []

    /// `valued` lists options that take a value; `boolean` those that do not. Short aliases map to long names.
    init(
        _ args: [String], valued: Set<String>, repeatable: Set<String> = [], boolean: Set<String>,
        aliases: [String: String] = [:]
    ) throws(UsageError) {
        var i = 0
        var onlyPositional = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositional || arg == "-" || !arg.hasPrefix("-") {
                positional.append(arg)
                continue
            }
            if arg == "--" { onlyPositional = true; continue }
            var name = arg
            var inlineValue: String?
            if let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inlineValue = String(arg[arg.index(after: eq)...])
            }
            name = aliases[name] ?? name
            if valued.contains(name) || repeatable.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard i < args.count else { throw UsageError(message: "\(name) needs a value") }
                    value = args[i]
                    i += 1
                }
                if repeatable.contains(name) { repeated[name, default: []].append(value) } else { options[name] = value }
            } else if boolean.contains(name) {
                guard inlineValue == nil else { throw UsageError(message: "\(name) takes no value") }
                flags.insert(name)
            } else {
                throw UsageError(message: "unknown option \(arg)")
            }
        }
    }

    func value(_ name: String) -> String? { options[name] }
    func values(_ name: String) -> [String] { repeated[name] ?? [] }
    func has(_ name: String) -> Bool { flags.contains(name) }
}
