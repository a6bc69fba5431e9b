/// A byte count that parses and prints exactly like the Paketo memory calculator (`calc/size.go`),
/// so that what memfit prints can be compared character for character with what the calculator printed.
public struct MemorySize: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    public static let kibi: Int64 = 1024
    public static let mebi: Int64 = 1024 * 1024
    public static let gibi: Int64 = 1024 * 1024 * 1024
    public static let tebi: Int64 = 1024 * 1024 * 1024 * 1024

    public static func kibibytes(_ n: Int64) -> MemorySize { MemorySize(bytes: n * kibi) }
    public static func mebibytes(_ n: Int64) -> MemorySize { MemorySize(bytes: n * mebi) }
    public static func gibibytes(_ n: Int64) -> MemorySize { MemorySize(bytes: n * gibi) }

    public static let zero = MemorySize(bytes: 0)

    /// Parses `digits[kmgt]` (case-insensitive, binary units, no suffix = bytes), as `calc.ParseSize`.
    /// `allowByteSuffix` accepts a trailing `b`/`B`, which libjvm before v1.25 and CF calculator v4 allowed.
    public init?(parsing text: some StringProtocol, allowByteSuffix: Bool = false) {
        var chars = Array(text.utf8)
        while let first = chars.first, isSpace(first) { chars.removeFirst() }
        while let last = chars.last, isSpace(last) { chars.removeLast() }
        var multiplier: Int64 = 1
        if let last = chars.last, !isDigit(last) {
            switch last | 0x20 {
            case UInt8(ascii: "k"): multiplier = MemorySize.kibi
            case UInt8(ascii: "m"): multiplier = MemorySize.mebi
            case UInt8(ascii: "g"): multiplier = MemorySize.gibi
            case UInt8(ascii: "t"): multiplier = MemorySize.tebi
            case UInt8(ascii: "b") where allowByteSuffix: multiplier = 1
            default: return nil
            }
            chars.removeLast()
        }
        guard !chars.isEmpty, chars.allSatisfy(isDigit) else { return nil }
        var value: Int64 = 0
        for digit in chars {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        self.bytes = scaled
    }

    /// Truncates to whole KiB and uses the largest unit that divides exactly: `240M`, `1G`, `120382K`, `0`.
    public var description: String {
        let k = bytes / MemorySize.kibi
        if k == 0 { return "0" }
        if k % MemorySize.gibi == 0 { return "\(k / MemorySize.gibi)T" }
        if k % MemorySize.mebi == 0 { return "\(k / MemorySize.mebi)G" }
        if k % MemorySize.kibi == 0 { return "\(k / MemorySize.kibi)M" }
        return "\(k)K"
    }

    /// True when the calculator would print this with an `M`, `G` or `T` suffix: a limit someone set on purpose.
    public var isWholeMebibytes: Bool { bytes > 0 && (bytes / MemorySize.kibi) % MemorySize.kibi == 0 }

    /// Human reading for prose: `15.7 MiB`, `1.0 GiB`, `512 KiB`.
    public var humanReadable: String {
        let value = Double(bytes)
        let magnitude = abs(value)
        if magnitude >= Double(MemorySize.gibi) { return formatOneDecimal(value / Double(MemorySize.gibi)) + " GiB" }
        if magnitude >= Double(MemorySize.mebi) { return formatOneDecimal(value / Double(MemorySize.mebi)) + " MiB" }
        if magnitude >= Double(MemorySize.kibi) { return formatOneDecimal(value / Double(MemorySize.kibi)) + " KiB" }
        return "\(bytes) B"
    }

    /// Whole MiB, rounded up: the unit platforms take for memory settings.
    public var mebibytesRoundedUp: Int64 { bytes.saturatingAdd(MemorySize.mebi - 1) / MemorySize.mebi }

    /// The largest total the calculator uses (it clamps bigger limits to 64T); a larger figure in a log is not a real one.
    public static let plausibleMaximum = MemorySize(bytes: 64 * tebi)

    public var isPlausible: Bool { bytes >= 0 && bytes <= MemorySize.plausibleMaximum.bytes }

    // Saturating: absurd figures from a log or the command line must never trap.
    public static func < (a: MemorySize, b: MemorySize) -> Bool { a.bytes < b.bytes }
    public static func + (a: MemorySize, b: MemorySize) -> MemorySize { MemorySize(bytes: a.bytes.saturatingAdd(b.bytes)) }
    public static func - (a: MemorySize, b: MemorySize) -> MemorySize { MemorySize(bytes: a.bytes.saturatingAdd(b.bytes == .min ? .max : -b.bytes)) }
    public static func * (a: MemorySize, n: Int) -> MemorySize { MemorySize(bytes: a.bytes.saturatingMultiply(Int64(n))) }
}

/// One decimal, rounded half up, without Foundation's locale-dependent formatting.
func formatOneDecimal(_ value: Double) -> String {
    let tenths = Int64((abs(value) * 10).rounded())
    let sign = value < 0 && tenths != 0 ? "-" : ""
    return "\(sign)\(tenths / 10).\(tenths % 10)"
}

/// Groups thousands with commas: `18,840`.
func groupedThousands(_ value: Int) -> String {
    let digits = String(abs(value))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return value < 0 ? "-" + out : out
}

extension Int64 {
    func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func saturatingMultiply(_ other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : product
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
