/// Valid ECS Fargate task CPU/memory combinations (log-formats.md §9.1).
public enum FargateSizes {
    public struct Size: Sendable, Equatable {
        public let cpuUnits: Int
        public let memoryMiB: Int
        public var vCPU: String {
            cpuUnits % 1024 == 0 ? "\(cpuUnits / 1024)" : formatTwoDecimals(Double(cpuUnits) / 1024)
        }
    }

    /// Every valid (cpu, memory) pair, ordered by memory then CPU.
    public static let all: [Size] = {
        var sizes: [Size] = []
        func add(_ cpu: Int, _ memories: some Sequence<Int>) { sizes += memories.map { Size(cpuUnits: cpu, memoryMiB: $0) } }
        add(256, [512, 1024, 2048])
        add(512, [1024, 2048, 3072, 4096])
        add(1024, stride(from: 2048, through: 8192, by: 1024))
        add(2048, stride(from: 4096, through: 16384, by: 1024))
        add(4096, stride(from: 8192, through: 30720, by: 1024))
        add(8192, stride(from: 16384, through: 61440, by: 4096))
        add(16384, stride(from: 32768, through: 122880, by: 8192))
        return sizes.sorted { ($0.memoryMiB, $0.cpuUnits) < ($1.memoryMiB, $1.cpuUnits) }
    }()

    /// The smallest valid task memory of at least `mib`, with the least CPU that allows it.
    public static func smallest(atLeast mib: Int64) -> Size? {
        all.first { Int64($0.memoryMiB) >= mib }
    }
}

/// Heroku dyno memory sizes: Basic/Standard-1X, Standard-2X, Performance-M, Performance-L.
public enum HerokuDynoSizes {
    public static let memoryMiB = [512, 1024, 2560, 14336]

    public static func smallest(atLeast mib: Int64) -> Int? { memoryMiB.first { Int64($0) >= mib } }
}

func formatTwoDecimals(_ value: Double) -> String {
    let hundredths = Int64((value * 100).rounded())
    let fraction = hundredths % 100
    var text = "\(hundredths / 100)." + (fraction < 10 ? "0\(fraction)" : "\(fraction)")
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}
