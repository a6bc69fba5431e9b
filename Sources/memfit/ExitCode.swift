/// Documented exit codes (README, "Exit status").
enum ExitCode: Int32 {
    /// Nothing to report.
    case ok = 0
    /// At least one failure was found (or, for `calc`, the configuration does not fit).
    case failure = 1
    /// Only warnings were found.
    case warnings = 2
    /// The command line was wrong.
    case usage = 64
    /// A `--rules` file (or `rules check` FILE) is not valid: bad JSON, a pattern that does not compile, a sample
    /// that does not match.
    case badRules = 65
    /// An input could not be read, and no failure was found in the others.
    case noInput = 66
    /// memfit itself is broken (a built-in pattern did not compile).
    case software = 70
    /// The report could not be written (a closed pipe, a full disk).
    case ioError = 74
}
