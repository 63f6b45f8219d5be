/// A time zone's UTC offsets, read from the system's time zone database (TZif files, RFC
/// 8536, in `$TZDIR` or `/usr/share/zoneinfo`: Debian's `tzdata`), and the strict conversion
/// of a local date and time to an instant that Foundation does not offer: Foundation
/// silently moves a time that does not exist (New York, 2027-03-14 02:30) to one that does,
/// and picks one side of an ambiguous one without saying so.
///
/// Why not Foundation's `TimeZone`: in the booking CGI, loading a zone through ICU and
/// asking it for offsets cost about a tenth of a wizard request (measured); reading the
/// zone's file costs a few microseconds. A differential test holds these offsets to
/// Foundation's for many zones over decades.
public struct ZoneRules: Sendable {
    public let identifier: String
    /// Transition instants, ascending, and the offset in force from each.
    private let transitions: [Int]
    private let offsets: [Int]
    /// Before the first transition.
    private let initialOffset: Int
    /// After the last transition (the file's POSIX TZ footer); nil keeps the last offset.
    private let rule: POSIXRule?

    /// Nil unless `identifier` is an IANA zone name (see `TimeZones.isIANAName`) whose
    /// rules the system has.
    public init?(identifier: String) {
        guard TimeZones.hasIANAShape(identifier), let bytes = Files.bytes(at: TimeZones.folder + "/" + identifier),
              let zone = TZif(bytes)
        else { return nil }
        self.identifier = identifier
        self.transitions = zone.transitions
        self.offsets = zone.offsets
        self.initialOffset = zone.initialOffset
        self.rule = zone.rule
    }

    /// Seconds east of UTC at an instant (seconds since 1970-01-01T00:00:00Z).
    public func offset(at instant: Int) -> Int {
        guard let last = transitions.last, instant >= transitions[0] else {
            return transitions.isEmpty ? rule?.offset(at: instant) ?? initialOffset : initialOffset
        }
        if instant >= last, let rule { return rule.offset(at: instant) }
        // The last transition at or before the instant.
        var low = 0, high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// What a local wall-clock time means in this zone.
    public enum Resolution: Equatable, Sendable {
        /// One instant.
        case unique(Int)
        /// The clocks went back: the time happened twice (first in the earlier offset).
        case ambiguous(earlier: Int, later: Int)
        /// The clocks went forward over it: the time never happened.
        case nonexistent
    }

    /// Resolves a local date and time (minutes after midnight; 24 × 60 means the next midnight).
    public func resolve(_ date: CalendarDate, minutes: Int) -> Resolution {
        let local = date.daysSinceEpoch * 86_400 + minutes * 60
        // Every offset in force within a day either side; a zone changes offset at most
        // a few times a year, so these three cover any one local time.
        var instants: [Int] = []
        for candidate in [offset(at: local - 86_400), offset(at: local), offset(at: local + 86_400)] {
            let instant = local - candidate
            if offset(at: instant) == candidate, !instants.contains(instant) { instants.append(instant) }
        }
        instants.sort()
        switch instants.count {
        case 0: return .nonexistent
        case 1: return .unique(instants[0])
        default: return .ambiguous(earlier: instants[0], later: instants[instants.count - 1])
        }
    }

    /// The local date and minutes after midnight of an instant.
    public func local(_ instant: Int) -> (date: CalendarDate, minutes: Int) {
        let local = instant + offset(at: instant)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return (CalendarDate(daysSinceEpoch: days), (local - days * 86_400) / 60)
    }

    /// `UTC+05:45`, `UTC−03:00`, `UTC` for an offset in seconds.
    public static func describe(offset: Int) -> String {
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC\(offset < 0 ? "−" : "+")\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2))"
    }
}

/// The parts of a TZif file (RFC 8536) that offsets need: the 64-bit transitions of a
/// version 2+ file (or the 32-bit ones of version 1) and the POSIX TZ footer.
struct TZif {
    var transitions: [Int] = []
    var offsets: [Int] = []
    var initialOffset = 0
    var rule: POSIXRule?

    init?(_ bytes: [UInt8]) {
        func count(_ at: Int) -> Int { Int(Self.integer(bytes, at, 4, signed: false)) }
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else { return nil }
        let version = bytes[4]
        var header = 0
        var timeSize = 4
        func blockLength(_ header: Int, _ timeSize: Int) -> Int {
            let (utc, std, leap, time, type, chars) = (count(header + 20), count(header + 24), count(header + 28), count(header + 32), count(header + 36), count(header + 40))
            return 44 + time * timeSize + time + type * 6 + chars + leap * (timeSize + 4) + std + utc
        }
        if version >= 0x32 {
            // Skip the version 1 block; the second header starts the 64-bit data.
            header = blockLength(0, 4)
            timeSize = 8
            guard bytes.count >= header + 44 else { return nil }
        }
        let timeCount = count(header + 32), typeCount = count(header + 36)
        let end = header + blockLength(header, timeSize)
        guard typeCount > 0, bytes.count >= end else { return nil }
        var position = header + 44
        var times: [Int] = []
        times.reserveCapacity(timeCount)
        for _ in 0..<timeCount {
            times.append(Int(Self.integer(bytes, position, timeSize, signed: true)))
            position += timeSize
        }
        let indices = Array(bytes[position..<position + timeCount])
        position += timeCount
        var typeOffsets: [Int] = []
        for type in 0..<typeCount {
            typeOffsets.append(Int(Self.integer(bytes, position + type * 6, 4, signed: true)))
        }
        guard indices.allSatisfy({ Int($0) < typeCount }) else { return nil }
        transitions = times
        offsets = indices.map { typeOffsets[Int($0)] }
        initialOffset = typeOffsets[0]
        // The footer: "\n" TZ string "\n" after the version 2+ data.
        if version >= 0x32, end < bytes.count, bytes[end] == 0x0A,
           let close = bytes[(end + 1)...].firstIndex(of: 0x0A), close > end + 1 {
            guard let parsed = POSIXRule(String(decoding: bytes[(end + 1)..<close], as: UTF8.self)) else { return nil }
            rule = parsed
        }
    }

    static func integer(_ bytes: [UInt8], _ at: Int, _ size: Int, signed: Bool) -> Int64 {
        var value: UInt64 = 0
        for index in at..<at + size { value = value << 8 | UInt64(bytes[index]) }
        guard signed, size < 8 else { return Int64(bitPattern: value) }
        let shift = UInt64(64 - size * 8)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}

/// A POSIX TZ rule such as `EST5EDT,M3.2.0,M11.1.0` or `<+0545>-5:45` (RFC 8536 §3.3,
/// POSIX 8.3, with the RFC's extensions: hours up to 167 in rule times, negative times).
struct POSIXRule: Sendable {
    /// Seconds east of UTC (POSIX writes them west: `EST5` is UTC−5).
    let standard: Int
    let daylight: (offset: Int, start: Transition, end: Transition)?

    struct Transition: Sendable {
        enum Day: Sendable {
            /// `Jn`: day 1–365, February 29 never counted.
            case julianNoLeap(Int)
            /// `n`: day 0–365, February 29 counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }
        let day: Day
        /// Local time of the change, seconds after midnight (default 02:00).
        let time: Int
    }

    init?(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        guard scanner.name(), let standardWest = scanner.offset() else { return nil }
        standard = -standardWest
        if scanner.atEnd {
            daylight = nil
            return
        }
        guard scanner.name() else { return nil }
        var daylightOffset = standard + 3600
        if let west = scanner.offset() { daylightOffset = -west }
        guard scanner.take(UInt8(ascii: ",")), let start = scanner.transition(), scanner.take(UInt8(ascii: ",")),
              let end = scanner.transition(), scanner.atEnd
        else { return nil }
        daylight = (daylightOffset, start, end)
    }

    func offset(at instant: Int) -> Int {
        guard let daylight else { return standard }
        // The changes in the instant's year (by standard time; no zone changes its clocks
        // at New Year). Daylight starts at a local standard time, ends at a local daylight
        // time; in the southern hemisphere it runs across New Year.
        let year = CalendarDate(daysSinceEpoch: Self.floorDivide(instant + standard, 86_400)).year
        let start = Self.instant(of: daylight.start, in: year) - standard
        let end = Self.instant(of: daylight.end, in: year) - daylight.offset
        let inDaylight = start < end ? instant >= start && instant < end : instant >= start || instant < end
        return inDaylight ? daylight.offset : standard
    }

    /// Seconds from 1970-01-01T00:00 (local reckoning) to the change in `year`.
    static func instant(of transition: Transition, in year: Int) -> Int {
        // Plain arithmetic, valid for any year: an instant from a request may be far outside
        // the years a `CalendarDate` holds (a crash once, for year 10000).
        let january1 = CalendarDate.daysSinceEpoch(year: year, month: 1, day: 1)
        let day: Int
        switch transition.day {
        case .julianNoLeap(let n):
            day = january1 + n - 1 + (CalendarDate.isLeap(year) && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = january1 + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = CalendarDate.daysSinceEpoch(year: year, month: month, day: 1)
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = ((first % 7) + 11) % 7
            var date = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let nextMonth = month == 12 ? CalendarDate.daysSinceEpoch(year: year + 1, month: 1, day: 1)
                : CalendarDate.daysSinceEpoch(year: year, month: month + 1, day: 1)
            while date >= nextMonth { date -= 7 }
            day = date
        }
        return day * 86_400 + transition.time
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index >= bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard !atEnd, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// `EST` (three or more letters) or `<+0545>`.
        mutating func name() -> Bool {
            if take(UInt8(ascii: "<")) {
                let start = index
                while !atEnd, bytes[index] != UInt8(ascii: ">") { index += 1 }
                return index - start >= 3 && take(UInt8(ascii: ">"))
            }
            let start = index
            while !atEnd, (bytes[index] | 0x20) >= UInt8(ascii: "a"), (bytes[index] | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index - start >= 3
        }

        mutating func number() -> Int? {
            let start = index
            var value = 0
            while !atEnd, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), index - start < 4 {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            return index > start ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds.
        mutating func offset() -> Int? {
            var sign = 1
            if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
            guard let hours = number(), hours <= 167 else { return nil }
            var seconds = hours * 3600
            if take(UInt8(ascii: ":")) {
                guard let minutes = number(), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(UInt8(ascii: ":")) {
                    guard let rest = number(), rest < 60 else { return nil }
                    seconds += rest
                }
            }
            return sign * seconds
        }

        mutating func transition() -> Transition? {
            let day: Transition.Day
            if take(UInt8(ascii: "J")) {
                guard let n = number(), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(n)
            } else if take(UInt8(ascii: "M")) {
                guard let month = number(), (1...12).contains(month), take(UInt8(ascii: ".")), let week = number(), (1...5).contains(week),
                      take(UInt8(ascii: ".")), let weekday = number(), (0...6).contains(weekday)
                else { return nil }
                day = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                guard let n = number(), (0...365).contains(n) else { return nil }
                day = .zeroBased(n)
            }
            var time = 7200
            if take(UInt8(ascii: "/")) {
                guard let value = offset() else { return nil }
                time = value
            }
            return Transition(day: day, time: time)
        }
    }
}
