import Foundation
import Testing

@testable import MemfitCore

/// Every what-if in calc-vectors.jsonl, with the exact line the real calculator printed.
struct CalcVector: Decodable, CustomTestStringConvertible, Sendable {
    struct Input: Decodable, Sendable {
        var total: String
        var classes: Int
        var threads: Int
        var headroom: Int
        var flags: String
    }
    var `in`: Input
    var line: String?
    var error: String?
    var flags: String?

    var testDescription: String { "\(self.in.total) \(self.in.classes) classes \(self.in.threads) threads \(self.in.headroom)% \(self.in.flags)" }

    /// The calculator's own line: for errors, the part after the last " | ".
    var expectedLine: String {
        if let line { return line }
        let error = error ?? ""
        guard let range = error.range(of: " | ", options: .backwards) else { return error }
        return String(error[range.upperBound...])
    }

    static let all: [CalcVector] = {
        guard let data = try? Fixtures.data("calc-vectors.jsonl") else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONDecoder().decode(CalcVector.self, from: Data($0.utf8))
        }
    }()
}

@Suite struct CalcVectorTests {
    @Test func allSixtyVectorsAreLoaded() {
        #expect(CalcVector.all.count == 60)
    }

    @Test(arguments: CalcVector.all)
    func calculatorPrintsTheSameLine(_ vector: CalcVector) throws {
        let total = try #require(MemorySize(parsing: vector.in.total))
        let calculator = MemoryCalculator(
            totalMemory: total, loadedClassCount: vector.in.classes, threadCount: vector.in.threads,
            headRoomPercent: vector.in.headroom, jvmOptions: vector.in.flags)
        switch calculator.calculate() {
        case .fits(_, let line, let flags):
            #expect(vector.line != nil, "the real calculator failed: \(vector.error ?? "")")
            #expect(line == vector.expectedLine)
            if let expectedFlags = vector.flags { #expect(flags == expectedFlags) }
        case .doesNotFit(_, _, let line):
            #expect(vector.error != nil, "the real calculator succeeded")
            #expect(line == vector.expectedLine)
        case .invalidOptions(let line):
            Issue.record("unexpected invalid options: \(line)")
        }
    }

    @Test func jsonOutputCarriesTheExactLine() throws {
        let vector = try #require(CalcVector.all.first)
        let calculator = MemoryCalculator(
            totalMemory: try #require(MemorySize(parsing: vector.in.total)), loadedClassCount: vector.in.classes,
            threadCount: vector.in.threads, headRoomPercent: vector.in.headroom, jvmOptions: vector.in.flags)
        let json = try JSONSerialization.jsonObject(with: Data(CalcReport.json(calculator.calculate()).utf8)) as? [String: Any]
        #expect(json?["fits"] as? Bool == true)
        #expect(json?["message"] as? String == vector.line)
        #expect(json?["jvmOptions"] as? String == vector.flags)
    }

    @Test func unterminatedQuoteIsReportedNotCrashed() {
        let calculator = MemoryCalculator(totalMemory: .gibibytes(1), loadedClassCount: 100, jvmOptions: "-Dx='open")
        #expect(calculator.calculate() == .invalidOptions(line: "unable to create memory regions from flags\nunable to parse flags"))
    }
}
