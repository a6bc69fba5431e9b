/// Memory limits written in decimal units: Kubernetes `2G` or `500M` are 2,000,000,000 and 500,000,000 bytes,
/// which the cgroup rounds down to a page and the calculator prints as `1953124K` and `488280K`.
public enum DecimalLimit {
    public struct Meaning: Sendable, Equatable {
        public var decimal: String
        public var decimalBytes: Int64
        public var binary: String
        public var binaryBytes: Int64
    }

    /// What a figure probably was, when it is within a page or two of a whole number of decimal G or M and is not
    /// itself a whole number of MiB.
    public static func meant(_ bytes: Int64) -> Meaning? {
        guard bytes > 0, bytes % MemorySize.mebi != 0 else { return nil }
        for (unit, suffix, binary) in [(Int64(1_000_000_000), "G", MemorySize.gibi), (Int64(1_000_000), "M", MemorySize.mebi)] {
            let k = (bytes + unit / 2) / unit
            guard k >= 1, abs(bytes - k * unit) <= 8192 else { continue }
            return Meaning(decimal: "\(k)\(suffix)", decimalBytes: k * unit, binary: "\(k)\(suffix)i", binaryBytes: k * binary)
        }
        return nil
    }
}
