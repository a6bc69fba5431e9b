/// Timestamps as the platforms write them, turned into milliseconds since the epoch so that first and last seen
/// are right whatever order the export is in (Insights is newest first). Zoneless forms are UTC, as the
/// CloudWatch tools write them (log-formats.md §12.8).
public enum LogTimestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z, or nil when the text is not a timestamp memfit knows.
    public static func milliseconds(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        if s.count == 13, s.allSatisfy(isDigit) { return Int64(text) }  // CloudWatch epoch ms
        if s.count >= 19, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-") { return iso(s) }
        return consolePaste(text)
    }

    /// `2023-06-13T15:51:44.123456789Z`, `… 15:51:44.123`, `…+01:00`, `…+0100`.
    static func iso(_ s: [UInt8]) -> Int64? {
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count, s[from..<(from + count)].allSatisfy(isDigit) else { return nil }
            return s[from..<(from + count)].reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        guard let year = num(0, 4), let month = num(5, 2), let day = num(8, 2), s[10] == UInt8(ascii: "T") || s[10] == 0x20,
              let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2) else { return nil }
        var i = 19
        var millis = 0
        if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",") {
            i += 1
            var digits = 0
            while i < s.count, isDigit(s[i]) {
                if digits < 3 { millis = millis * 10 + Int(s[i] - 48) }
                digits += 1
                i += 1
            }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes = 0
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = num(i + 1, 2) else { return nil }
            let om = num(i + 3, 2) ?? num(i + 4, 2) ?? 0
            guard let offset = zoneOffsetMinutes(hours: oh, minutes: om) else { return nil }
            offsetMinutes = sign * offset
        }
        return epochMillis(year, month, day, hour, minute, second, millis).map { $0 - Int64(offsetMinutes) * 60_000 }
    }

    /// The CloudWatch console's US form: `6/13/2023, 4:51:44 PM GMT+1` (U+202F may stand before PM).
    /// Every figure is read with `Int(_:)`, which gives nil (not a trap) for digits past Int's range, and then
    /// range-checked, so a pasted or forged `1/1/9223372036854775807` is simply not a timestamp.
    static func consolePaste(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\u{202F}" || $0 == "\u{A0}" })
        guard parts.count >= 3 else { return nil }
        let date = parts[0].split(separator: "/").compactMap { Int($0) }
        let time = parts[1].split(separator: ":").compactMap { Int($0.prefix(2)) }
        guard date.count == 3, time.count == 3, parts[2] == "AM" || parts[2] == "PM", (1...12).contains(time[0]) else { return nil }
        var hour = time[0] % 12
        if parts[2] == "PM" { hour += 12 }
        var offsetMinutes = 0
        if parts.count >= 4, parts[3].hasPrefix("GMT") || parts[3].hasPrefix("UTC") {
            let zone = parts[3].dropFirst(3)
            if let sign = zone.first, sign == "+" || sign == "-" {
                // `GMT+1`, `GMT+05:30`, `GMT+0530`.
                let zoneParts = zone.dropFirst().split(separator: ":")
                var hm = zoneParts.map { Int($0) }
                if zoneParts.count == 1, zoneParts[0].count > 2, let hhmm = hm[0] { hm = [hhmm / 100, hhmm % 100] }
                guard hm.count <= 2, let hours = hm.first ?? 0, let minutes = hm.count > 1 ? hm[1] : 0,
                      let offset = zoneOffsetMinutes(hours: hours, minutes: minutes) else { return nil }
                offsetMinutes = sign == "-" ? -offset : offset
            }
        }
        return epochMillis(date[2], date[0], date[1], hour, time[1], time[2], 0).map { $0 - Int64(offsetMinutes) * 60_000 }
    }

    /// A zone offset in minutes, or nil past ±23:59 (no zone is further from UTC than 14 hours).
    static func zoneOffsetMinutes(hours: Int, minutes: Int) -> Int? {
        guard (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }

    /// Days in `month` of `year` (proleptic Gregorian).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from civil (Howard Hinnant's algorithm). Nil for a date or time that does not exist (month 13,
    /// February 30, 25:61:61) or a year outside 1…9999 (ISO 8601's four digits), so nothing here can overflow.
    /// A leap second (:60) is read as the next second.
    static func epochMillis(_ y: Int, _ m: Int, _ d: Int, _ hh: Int, _ mm: Int, _ ss: Int, _ ms: Int) -> Int64? {
        guard (1...9999).contains(y), (1...12).contains(m), (1...daysIn(month: m, year: y)).contains(d), (0...23).contains(hh),
              (0...59).contains(mm), (0...60).contains(ss), (0...999).contains(ms) else { return nil }
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = Int64(era * 146_097 + doe - 719_468)
        return ((days * 24 + Int64(hh)) * 60 + Int64(mm)) * 60_000 + Int64(ss) * 1000 + Int64(ms)
    }

    /// `2023-06-13T15:51:44.123Z`
    public static func iso8601(_ millis: Int64) -> String {
        // Floor division from quotient and remainder: `millis - 86_399_999` or `days * 86_400_000` would overflow
        // near Int64.min.
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 {
            days -= 1
            rest += 86_400_000
        }
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = rest % 1000
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(y)-\(two(m))-\(two(d))T\(two(rest / 3_600_000)):\(two(rest / 60_000 % 60)):\(two(rest / 1000 % 60)).\(msText)Z"
    }
}
