import Foundation
import Testing

@testable import MemfitCore

/// Paths and helpers shared by the tests. Fixtures are copies of ../shared/cases, so the suite needs nothing outside.
enum Fixtures {
    static var directory: URL { Bundle.module.bundleURL.appendingPathComponent("Fixtures") }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// The built `memfit` binary, next to the test bundle.
    static var memfitBinary: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("memfit")
    }
}

/// Runs the analyser over in-memory text, as the command line does over a file.
func analyze(_ text: String, name: String = "test.log", options: DiagnosisOptions = .init()) throws -> AnalysisReport {
    try analyzeBytes(Array(text.utf8), name: name, options: options)
}

func analyzeBytes(_ bytes: [UInt8], name: String = "test.log", options: DiagnosisOptions = .init()) throws -> AnalysisReport {
    try Analyzer().analyze(bytes: bytes, name: name, options: options)
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the memfit binary with `arguments` and optional standard input.
func runMemfit(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil, executable: String? = nil,
    stdout: FileHandle? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? Fixtures.memfitBinary
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = stdout ?? out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    if stdout != nil { try out.fileHandleForWriting.close() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh directory for a test's files; the caller removes it.
func makeTemporaryDirectory(_ tag: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("memfit-\(tag)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs a shell command that builds a fixture (gzip, truncation); the test fails if the command does.
func shell(_ command: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(command)")
}
