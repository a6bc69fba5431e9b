#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Expands the command line's paths: files as given, directories walked recursively in a stable (sorted) order,
/// filtered by `--include`/`--exclude` globs. A glob without "/" matches the file name; with "/", the path below
/// the directory given. Symlinked directories are followed once (loops are cut); unreadable ones are reported.
public struct InputFiles: Sendable {
    public var include: [String] = []
    public var exclude: [String] = []

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }

    /// Each path once, in the order first given. "-" too: standard input can be read only once, and two readers of it
    /// (`scan -j 2 - -`) split its lines between them at random.
    public func expand(_ paths: [String]) -> (files: [String], errors: [InputError]) {
        var files: [String] = []
        var errors: [InputError] = []
        var seen: Set<String> = []
        for path in paths where seen.insert(path).inserted {
            var info = stat()
            if path != "-", stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                var visited: Set<[UInt64]> = []
                walk(path, relative: "", into: &files, errors: &errors, visited: &visited)
            } else {
                files.append(path)  // a missing file is reported when it is opened
            }
        }
        return (files, errors)
    }

    /// The line said when memfit, given no input path, would read a terminal: without it, it waits silently and
    /// looks hung. Nil otherwise (a pipe or file on stdin, or paths given).
    public static func terminalHint(paths: [String], stdinIsTerminal: Bool) -> String? {
        guard paths.isEmpty, stdinIsTerminal else { return nil }
        return "memfit: reading logs from standard input (paste them, then Ctrl-D; memfit --help for usage)"
    }

    /// True when "-" (standard input) is given more than once: it is read once, and the user is told so.
    public static func repeatsStandardInput(_ paths: [String]) -> Bool {
        paths.lazy.filter { $0 == "-" }.prefix(2).count > 1
    }

    private func walk(
        _ directory: String, relative: String, into files: inout [String], errors: inout [InputError],
        visited: inout Set<[UInt64]>
    ) {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }  // a symlink loop
        guard let handle = opendir(directory) else {
            errors.append(InputError(input: directory, reason: errno == EACCES ? .permissionDenied : .readFailed,
                                     detail: "directory cannot be listed"))
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(validatingCString: $0) }
            }
            guard let name else {
                // Swift paths are UTF-8: such a file cannot be opened by name, so say so rather than skip it silently.
                errors.append(InputError(input: directory, reason: .readFailed,
                                         detail: "holds a file whose name is not valid UTF-8; rename it to have it read"))
                continue
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var entryInfo = stat()
            guard stat(path, &entryInfo) == 0 else {
                if errno != ENOENT {  // ENOENT is a dangling link; anything else (a path too long, a loop) is said
                    errors.append(InputError(input: path, reason: .readFailed, detail: String(cString: strerror(errno))))
                }
                continue
            }
            switch entryInfo.st_mode & S_IFMT {
            case S_IFDIR:
                if !exclude.contains(where: { matches($0, name: name, relative: rel) }) {
                    walk(path, relative: rel, into: &files, errors: &errors, visited: &visited)
                }
            case S_IFREG:
                if wanted(name: name, relative: rel) { files.append(path) }
            default:
                continue  // sockets, devices, FIFOs inside a tree are not logs
            }
        }
    }

    func wanted(name: String, relative: String) -> Bool {
        if exclude.contains(where: { matches($0, name: name, relative: relative) }) { return false }
        return include.isEmpty || include.contains(where: { matches($0, name: name, relative: relative) })
    }

    func matches(_ glob: String, name: String, relative: String) -> Bool {
        glob.contains("/") ? fnmatch(glob, relative, FNM_PATHNAME) == 0 : fnmatch(glob, name, 0) == 0
    }
}
