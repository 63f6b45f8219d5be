/// A bookable time: an instant range in UTC, and how it reads on the mentor's clock.
public struct Slot: Equatable, Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var start: Int
    public var end: Int
    /// The mentor's local date and start time.
    public var localDate: CalendarDate
    public var localStart: LocalTime
    /// The mentor's UTC offset at `start`, in seconds: tells the two 01:30s of a
    /// fall-back night apart.
    public var offset: Int

    public init(start: Int, end: Int, localDate: CalendarDate, localStart: LocalTime, offset: Int) {
        self.start = start
        self.end = end
        self.localDate = localDate
        self.localStart = localStart
        self.offset = offset
    }
}

/// The rules a booking must satisfy besides the mentor's hours.
public struct BookingRules: Equatable, Sendable {
    /// No slot starts sooner than this after now.
    public var minimumNotice: Int = 12 * 3600
    /// No slot starts later than this many days after now.
    public var horizonDays: Int = 60
    /// Minutes between slot starts; nil means the session length.
    public var stepMinutes: Int?

    public init(minimumNotice: Int = 12 * 3600, horizonDays: Int = 60, stepMinutes: Int? = nil) {
        self.minimumNotice = minimumNotice
        self.horizonDays = horizonDays
        self.stepMinutes = stepMinutes
    }
}

/// Free slots: weekly hours in the mentor's zone, stepped by the session length (or the
/// configured step), minus blocked dates, busy times, anything sooner than the notice or
/// past the horizon. DST-correct: a local time that does not exist is never offered, an
/// ambiguous one is offered once (its first occurrence), and a slot's length is real time.
public enum SlotCalculator {
    public struct Schedule: Sendable {
        public var rules: ZoneRules
        public var sessionMinutes: Int
        public var availability: [AvailabilityWindow]
        public var blockedDates: Set<CalendarDate>

        public init(rules: ZoneRules, sessionMinutes: Int, availability: [AvailabilityWindow], blockedDates: Set<CalendarDate>) {
            self.rules = rules
            self.sessionMinutes = sessionMinutes
            self.availability = availability
            self.blockedDates = blockedDates
        }
    }

    /// Free slots on the mentor's local dates `from` … `from + days - 1`, in time order.
    /// - Parameter busy: instant ranges already taken (appointments and unexpired holds).
    public static func freeSlots(for schedule: Schedule, from: CalendarDate, days: Int, now: Int,
                                 busy: [Range<Int>], rules: BookingRules = BookingRules()) -> [Slot] {
        let duration = schedule.sessionMinutes * 60
        let step = max(5, rules.stepMinutes ?? schedule.sessionMinutes) * 60
        let earliest = now + rules.minimumNotice
        let latest = now + rules.horizonDays * 86_400
        let busy = busy.sorted { $0.lowerBound < $1.lowerBound }
        var slots: [Slot] = []
        for dayOffset in 0..<max(0, days) {
            let date = from.adding(days: dayOffset)
            guard !schedule.blockedDates.contains(date) else { continue }
            for window in schedule.availability.filter({ $0.day == date.weekday }).sorted(by: { $0.start < $1.start }) {
                guard let windowStart = firstInstant(schedule.rules.resolve(date, minutes: window.start.minutes)) ?? nextExisting(schedule.rules, date, window.start.minutes),
                      let windowEnd = lastInstant(schedule.rules.resolve(date, minutes: window.end.minutes)) ?? nextExisting(schedule.rules, date, window.end.minutes)
                else { continue }
                var minutes = window.start.minutes
                while minutes < window.end.minutes {
                    defer { minutes += step / 60 }
                    // A wall-clock time the clocks skipped is never offered.
                    guard let start = firstInstant(schedule.rules.resolve(date, minutes: minutes)) else { continue }
                    let end = start + duration
                    guard start >= windowStart, end <= windowEnd, start >= earliest, start <= latest,
                          !overlaps(start..<end, busy)
                    else { continue }
                    slots.append(Slot(start: start, end: end, localDate: date, localStart: LocalTime(minutes: minutes)!,
                                      offset: schedule.rules.offset(at: start)))
                }
            }
        }
        // Overlapping windows offer a start once (no Set<Int>: its first use costs a CGI
        // request a scan of the binary's conformance tables).
        slots.sort { $0.start < $1.start }
        var unique: [Slot] = []
        unique.reserveCapacity(slots.count)
        for slot in slots where unique.last?.start != slot.start { unique.append(slot) }
        return unique
    }

    /// True when `slot` overlaps any of the `busy` ranges: the rule `freeSlots` applies.
    public static func isTaken(_ slot: Slot, busy: [Range<Int>]) -> Bool {
        overlaps(slot.start..<slot.end, busy.sorted { $0.lowerBound < $1.lowerBound })
    }

    /// True when `range` overlaps any of the sorted `busy` ranges.
    static func overlaps(_ range: Range<Int>, _ busy: [Range<Int>]) -> Bool {
        for taken in busy {
            if taken.lowerBound >= range.upperBound { return false }
            if taken.overlaps(range) { return true }
        }
        return false
    }

    private static func firstInstant(_ resolution: ZoneRules.Resolution) -> Int? {
        switch resolution {
        case .unique(let instant): instant
        case .ambiguous(let earlier, _): earlier
        case .nonexistent: nil
        }
    }

    private static func lastInstant(_ resolution: ZoneRules.Resolution) -> Int? {
        switch resolution {
        case .unique(let instant): instant
        case .ambiguous(_, let later): later
        case .nonexistent: nil
        }
    }

    /// A window edge inside a skipped hour starts when the clocks land again.
    private static func nextExisting(_ rules: ZoneRules, _ date: CalendarDate, _ minutes: Int) -> Int? {
        var probe = minutes
        while probe < minutes + 180 {
            probe += 1
            if let instant = firstInstant(rules.resolve(date, minutes: probe)) { return instant }
        }
        return nil
    }
}
