// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "memfit",
    products: [
        .executable(name: "memfit", targets: ["memfit"]),
        .library(name: "MemfitCore", targets: ["MemfitCore"]),
    ],
    targets: [
        // System libraries from Debian: libpcre2-dev (pattern matching) and zlib1g-dev (gzip input).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Our own C: glibc's memmem and memrchr declared for Swift, and the one-pass multi-literal search and
        // newline count (AVX2 where the CPU has it) that let the prefilter skip ordinary bytes at memory speed.
        .target(name: "CStringSearch"),
        .target(name: "MemfitCore", dependencies: ["CPCRE2", "CZlib", "CStringSearch"]),
        .executableTarget(name: "memfit", dependencies: ["MemfitCore"]),
        .testTarget(
            name: "MemfitCoreTests",
            // memfit is listed so that the binary the command-line tests run is built first.
            dependencies: ["MemfitCore", "memfit"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

// scripts/fuzz only: the libFuzzer harness links libFuzzer, which only a -sanitize=fuzzer build provides, so it is
// in the manifest only when MEMFIT_FUZZ is set, and a normal build never sees it.
if ProcessInfo.processInfo.environment["MEMFIT_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "memfit-fuzz", dependencies: ["MemfitCore"], path: "Fuzz/Sources"))
}
