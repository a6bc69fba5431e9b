import Testing

@testable import MemfitCore

@Suite struct CatalogueTests {
    static let entries = PatternCatalogue.builtIn.map(\.id)

    @Test func idsAreUnique() {
        #expect(Set(Self.entries).count == Self.entries.count)
    }

    /// The prefilter may only skip lines no entry can match: each entry's literal holds a prefilter literal.
    @Test(arguments: entries)
    func prefilterCoversTheEntry(_ id: String) throws {
        let entry = try #require(PatternCatalogue.builtIn.first { $0.id == id })
        #expect(PatternCatalogue.prefilterLiterals.contains { entry.literal.contains($0) })
        #expect(entry.sample.contains(entry.literal))
    }

    /// Every entry's sample line is matched by that entry (first match wins, so nothing earlier shadows it).
    @Test(arguments: entries)
    func sampleMatchesItsOwnEntry(_ id: String) throws {
        let catalogue = try CompiledCatalogue()
        let matcher = LineMatcher(catalogue: catalogue)
        let entry = try #require(PatternCatalogue.builtIn.first { $0.id == id })
        let bytes = Array(entry.sample.utf8)
        let candidate = bytes.withUnsafeBufferPointer { Prefilter().matches($0) }
        #expect(candidate, "the prefilter would skip the sample")
        guard case .matched(let matched, _) = matcher.match(entry.sample) else {
            Issue.record("sample does not match: \(entry.sample)")
            return
        }
        #expect(matched.id == id)
    }

    @Test(arguments: [
        "Setting Active Processor Count to 4",
        "Started OrdersApplication in 14.203 seconds (process running for 15.1)",
        "java.lang.IllegalStateException: card expired",
        "",
    ])
    func ordinaryLinesDoNotMatch(_ line: String) throws {
        let matcher = LineMatcher(catalogue: try CompiledCatalogue())
        guard case .none = matcher.match(line) else {
            Issue.record("matched: \(line)")
            return
        }
    }

    @Test func fixedRegionsLineYieldsEveryRegion() throws {
        let matcher = LineMatcher(catalogue: try CompiledCatalogue())
        let line = "fixed memory regions require 592616K which is greater than 512M available for allocation: "
            + "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=156904K, -XX:ReservedCodeCacheSize=240M, -Xss512K * 351 threads"
        guard case .matched(let entry, let m) = matcher.match(line) else { Issue.record("no match"); return }
        let record = LogRecord(input: "t", line: 1, message: line, capped: false)
        guard case .regionsDoNotFit(let f)? = FactExtractor.fact(from: m, entry: entry, record: record)?.payload else {
            Issue.record("no failure fact")
            return
        }
        #expect(f.check == .fixed)
        #expect(f.required == .kibibytes(592_616))
        #expect(f.available == .mebibytes(512))
        #expect(f.regions.stack == .kibibytes(512))
        #expect(f.regions.threadCount == 351)
        #expect(f.regions.metaspace == .kibibytes(156_904))
    }

    @Test(arguments: [
        ("/layers/paketo-buildpacks_bellsoft-liberica/helper/exec.d/memory-calculator", "paketo-buildpacks/bellsoft-liberica"),
        ("/layers/paketo-buildpacks_eclipse-openj9/helper/exec.d/memory-calculator", "paketo-buildpacks/eclipse-openj9"),
        ("/layers/tanzu-buildpacks_azul-zulu/helper/exec.d/memory-calculator", "tanzu-buildpacks/azul-zulu"),
    ])
    func vendorFromTheExecdPath(_ path: String, _ vendor: String) {
        #expect(FactExtractor.vendor(fromLayerPath: path) == vendor)
    }
}
