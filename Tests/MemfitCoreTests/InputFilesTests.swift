import Foundation
import Testing

@testable import MemfitCore

@Suite struct InputFilesTests {
    /// A tree with nested folders, a symlink loop, and files to include and exclude.
    func makeTree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("memfit-tree-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("b/deeper"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        for name in ["a/2.log", "a/1.log", "b/deeper/x.gz", "b/skip.tmp", "top.log"] {
            try Data("line\n".utf8).write(to: root.appendingPathComponent(name))
        }
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("b/deeper/loop").path, withDestinationPath: root.path)
        return root
    }

    @Test func walksInAStableOrderAndCutsLoops() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let (files, errors) = InputFiles().expand([root.path])
        #expect(errors.isEmpty)
        #expect(files.map { String($0.dropFirst(root.path.count + 1)) } == [
            "a/1.log", "a/2.log", "b/deeper/x.gz", "b/skip.tmp", "top.log",
        ])
    }

    @Test func includeAndExclude() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let logs = InputFiles(include: ["*.log", "b/deeper/*"]).expand([root.path]).files
        #expect(logs.map { String($0.dropFirst(root.path.count + 1)) } == ["a/1.log", "a/2.log", "b/deeper/x.gz", "top.log"])
        let noA = InputFiles(exclude: ["a", "*.tmp"]).expand([root.path]).files
        #expect(noA.map { String($0.dropFirst(root.path.count + 1)) } == ["b/deeper/x.gz", "top.log"])
    }

    @Test func filesAndStdinPassThrough() {
        #expect(InputFiles().expand(["-", "/nonexistent/x.log"]).files == ["-", "/nonexistent/x.log"])
    }

    /// A file whose name is not UTF-8 was skipped without a word (its name cannot make a Swift path).
    @Test func aNameThatIsNotUTF8IsReported() throws {
        let root = try makeTemporaryDirectory("names")
        defer { try? FileManager.default.removeItem(at: root) }
        try shell("printf x > \(root.path)/good.log && printf x > \"\(root.path)/$(printf 'bad\\377name.log')\"")
        let (files, errors) = InputFiles().expand([root.path])
        #expect(files == [root.path + "/good.log"])
        #expect(errors.map(\.detail) == ["holds a file whose name is not valid UTF-8; rename it to have it read"])
    }
}
