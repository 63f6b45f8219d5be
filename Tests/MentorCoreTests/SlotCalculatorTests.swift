import Testing
import TestSupport
@testable import MentorCore

/// Instants written as UTC text, for readable expectations.
func window(_ day: Weekday, _ start: String, _ end: String) -> AvailabilityWindow {
    AvailabilityWindow(day: day, start: LocalTime(start)!, end: LocalTime(end)!)
}

func schedule(_ zone: String, minutes: Int = 60, _ windows: [AvailabilityWindow], blocked: Set<CalendarDate> = []) -> SlotCalculator.Schedule {
    SlotCalculator.Schedule(rules: ZoneRules(identifier: zone)!, sessionMinutes: minutes, availability: windows, blockedDates: blocked)
}

/// Slots as `local-time offset` strings, easy to compare.
func describe(_ slots: [Slot]) -> [String] {
    slots.map { "\($0.localDate) \($0.localStart) \(ZoneRules.describe(offset: $0.offset))" }
}

let longAgo = utc("2020-01-01T00:00")

let anyTime = BookingRules(minimumNotice: 0, horizonDays: 100_000)

@Suite struct SlotCalculatorTests {
    @Test func stepsThroughWeeklyHoursInTheMentorsZone() {
        let slots = SlotCalculator.freeSlots(for: schedule("Africa/Nairobi", minutes: 50, [window(.monday, "09:00", "12:00")]),
                                             from: CalendarDate("2026-11-30")!, days: 7, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(slots) == ["2026-11-30 09:00 UTC+03:00", "2026-11-30 09:50 UTC+03:00", "2026-11-30 10:40 UTC+03:00"])
        #expect(slots[0].start == utc("2026-11-30T06:00"))
        #expect(slots[0].end == utc("2026-11-30T06:50"))
    }

    @Test func honoursAConfiguredStep() {
        var rules = anyTime
        rules.stepMinutes = 30
        let slots = SlotCalculator.freeSlots(for: schedule("UTC", minutes: 60, [window(.monday, "09:00", "11:00")]),
                                             from: CalendarDate("2026-11-30")!, days: 1, now: longAgo, busy: [], rules: rules)
        #expect(describe(slots) == ["2026-11-30 09:00 UTC", "2026-11-30 09:30 UTC", "2026-11-30 10:00 UTC"])
    }

    @Test func neverOffersTheSkippedHourInNewYork() {
        let slots = SlotCalculator.freeSlots(for: schedule("America/New_York", minutes: 30, [window(.sunday, "01:00", "04:00")]),
                                             from: CalendarDate("2027-03-14")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(slots) == ["2027-03-14 01:00 UTC−05:00", "2027-03-14 01:30 UTC−05:00", "2027-03-14 03:00 UTC−04:00", "2027-03-14 03:30 UTC−04:00"])
    }

    @Test func offersTheRepeatedHourOnceInNewYork() {
        let slots = SlotCalculator.freeSlots(for: schedule("America/New_York", minutes: 30, [window(.sunday, "00:30", "02:30")]),
                                             from: CalendarDate("2026-11-01")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(slots) == ["2026-11-01 00:30 UTC−04:00", "2026-11-01 01:00 UTC−04:00", "2026-11-01 01:30 UTC−04:00", "2026-11-01 02:00 UTC−05:00"])
        // Real time, not wall time: 00:30 EDT to 02:30 EST is three hours, six half hours fit,
        // but only one copy of each wall-clock time is offered.
        #expect(Set(slots.map(\.start)).count == slots.count)
    }

    @Test func handlesBerlinsChangesBothWays() {
        let spring = SlotCalculator.freeSlots(for: schedule("Europe/Berlin", [window(.sunday, "01:00", "05:00")]),
                                              from: CalendarDate("2027-03-28")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(spring) == ["2027-03-28 01:00 UTC+01:00", "2027-03-28 03:00 UTC+02:00", "2027-03-28 04:00 UTC+02:00"])
        let autumn = SlotCalculator.freeSlots(for: schedule("Europe/Berlin", [window(.sunday, "01:00", "04:00")]),
                                              from: CalendarDate("2026-10-25")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(autumn) == ["2026-10-25 01:00 UTC+02:00", "2026-10-25 02:00 UTC+02:00", "2026-10-25 03:00 UTC+01:00"])
    }

    @Test func followsTheSouthernHemisphere() {
        // Auckland leaves daylight time on 2027-04-04 at 03:00 (back to 02:00) and starts it
        // on 2026-09-27 at 02:00 (on to 03:00).
        let april = SlotCalculator.freeSlots(for: schedule("Pacific/Auckland", [window(.sunday, "01:00", "04:00")]),
                                             from: CalendarDate("2027-04-04")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(april) == ["2027-04-04 01:00 UTC+13:00", "2027-04-04 02:00 UTC+13:00", "2027-04-04 03:00 UTC+12:00"])
        let september = SlotCalculator.freeSlots(for: schedule("Pacific/Auckland", [window(.sunday, "01:00", "04:00")]),
                                                 from: CalendarDate("2026-09-27")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(september) == ["2026-09-27 01:00 UTC+12:00", "2026-09-27 03:00 UTC+13:00"])
    }

    @Test func handlesHalfAndQuarterHourOffsets() {
        let kathmandu = SlotCalculator.freeSlots(for: schedule("Asia/Kathmandu", minutes: 45, [window(.tuesday, "16:00", "17:30")]),
                                                 from: CalendarDate("2026-12-01")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(kathmandu.map(\.start) == [utc("2026-12-01T10:15"), utc("2026-12-01T11:00")])
        // Lord Howe Island moves its clocks by thirty minutes.
        let lordHowe = SlotCalculator.freeSlots(for: schedule("Australia/Lord_Howe", minutes: 30, [window(.sunday, "01:30", "03:00")]),
                                                from: CalendarDate("2026-10-04")!, days: 1, now: longAgo, busy: [], rules: anyTime)
        #expect(describe(lordHowe) == ["2026-10-04 01:30 UTC+10:30", "2026-10-04 02:30 UTC+11:00"])
    }

    @Test func skipsBlockedDatesAndBusyTimes() {
        let slots = SlotCalculator.freeSlots(
            for: schedule("UTC", [window(.monday, "09:00", "12:00"), window(.tuesday, "09:00", "10:00")], blocked: [CalendarDate("2026-12-01")!]),
            from: CalendarDate("2026-11-30")!, days: 2, now: longAgo,
            busy: [utc("2026-11-30T10:30")..<utc("2026-11-30T11:00")], rules: anyTime)
        #expect(describe(slots) == ["2026-11-30 09:00 UTC", "2026-11-30 11:00 UTC"])
    }

    @Test func keepsTheNoticeAndTheHorizon() {
        let rules = BookingRules(minimumNotice: 12 * 3600, horizonDays: 2)
        let slots = SlotCalculator.freeSlots(for: schedule("UTC", [window(.monday, "09:00", "12:00"), window(.tuesday, "09:00", "12:00"), window(.wednesday, "09:00", "12:00")]),
                                             from: CalendarDate("2026-11-30")!, days: 3, now: utc("2026-11-29T22:00"), busy: [], rules: rules)
        // 12 hours' notice from 22:00 rules out 09:00; the horizon ends Tuesday 22:00.
        #expect(describe(slots) == ["2026-11-30 10:00 UTC", "2026-11-30 11:00 UTC", "2026-12-01 09:00 UTC", "2026-12-01 10:00 UTC", "2026-12-01 11:00 UTC"])
    }

    @Test func offersNothingWithoutHours() {
        #expect(SlotCalculator.freeSlots(for: schedule("UTC", []), from: CalendarDate("2026-11-30")!, days: 30, now: longAgo, busy: [], rules: anyTime).isEmpty)
    }
}
