/// A date on the calendar with no time or zone, parsed strictly from `YYYY-MM-DD`.
///
/// Foundation's parsers roll `2026-02-30` over to 2 March; this type refuses it.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless the values name a real day between the years 1900 and 9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, no signs or spaces).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = parseDigits(bytes[0..<4]), let month = parseDigits(bytes[5..<7]),
              let day = parseDigits(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's `days_from_civil`.
    public var daysSinceEpoch: Int { Self.daysSinceEpoch(year: year, month: month, day: day) }

    /// The same arithmetic for any year (no range check): zone rules need it for instants
    /// far from the years a `CalendarDate` may hold.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `daysSinceEpoch` days after 1970-01-01.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The day of the week, 0 = Sunday … 6 = Saturday (the database's numbering).
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (4).
        let index = ((daysSinceEpoch % 7) + 7 + 4) % 7
        return Weekday(rawValue: index)!
    }

    public var description: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A wall-clock time of day with minute precision, parsed strictly from `HH:MM` (00:00–23:59).
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes since midnight.
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0..<24 * 60).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
              let hour = parseDigits(bytes[0..<2]), let minute = parseDigits(bytes[3..<5]),
              hour < 24, minute < 60
        else { return nil }
        self.minutes = hour * 60 + minute
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }
    public var description: String { "\(pad(hour, 2)):\(pad(minute, 2))" }
    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }
}

/// Days of the week numbered as the database stores them: 0 = Sunday … 6 = Saturday.
public enum Weekday: Int, CaseIterable, Sendable, Comparable {
    case sunday = 0, monday, tuesday, wednesday, thursday, friday, saturday

    /// The lowercase English name used in content files.
    public var name: String {
        switch self {
        case .sunday: "sunday"
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        }
    }

    public var displayName: String { name.prefix(1).uppercased() + name.dropFirst() }

    public init?(name: String) {
        guard let day = Weekday.allCases.first(where: { $0.name == name }) else { return nil }
        self = day
    }

    /// Monday-first order for display.
    public var mondayFirstIndex: Int { (rawValue + 6) % 7 }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.mondayFirstIndex < rhs.mondayFirstIndex }
}

/// Parses only ASCII digits: no sign, no spaces (`Int("+10")` would accept a sign).
func parseDigits(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard !bytes.isEmpty else { return nil }
    var value = 0
    for byte in bytes {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
}

extension Int {
    /// A whole number written as ASCII digits only (no sign, no spaces, no `1e3`), at most
    /// `maxDigits` of them: the strict reading for numbers that arrive in requests.
    public init?(plainDigits text: some StringProtocol, maxDigits: Int = 12) {
        guard text.utf8.count <= maxDigits, let value = parseDigits(ArraySlice(text.utf8)) else { return nil }
        self = value
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    let length = text.utf8.count  // digits and "-": bytes, no grapheme breaking
    return length >= width ? text : String(repeating: "0", count: width - length) + text
}
