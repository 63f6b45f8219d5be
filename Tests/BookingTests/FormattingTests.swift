import Foundation
import MentorCore
import Testing
import TestSupport
@testable import Booking
@testable import Sendmail

@Suite struct FormattingTests {
    @Test func printsDatesAndTimesWithoutICU() {
        let berlin = ZoneRules(identifier: "Europe/Berlin")!
        #expect(Formatting.instant(utc("2026-11-30T08:00"), in: berlin) == "Monday 30 November 2026, 09:00 (UTC+01:00)")
        #expect(Formatting.instantAndZone(utc("2026-11-30T08:00"), in: berlin) == "Monday 30 November 2026, 09:00 (UTC+01:00) (Europe/Berlin)")
        #expect(ICalendar.utc(utc("2026-11-30T08:00")) == "20261130T080000Z")
        #expect(WebText.percentEncode("Life transitions & more/é") == "Life%20transitions%20%26%20more%2F%C3%A9")
    }

    @Test func showsThePatientsTimeShortWithTheDayOnlyWhenItDiffers() {
        let newYork = ZoneRules(identifier: "America/New_York")!
        let monday = CalendarDate("2026-11-30")!
        // 09:00 in Berlin is 03:00 the same day in New York; 02:00 in Berlin is 20:00 the day before.
        #expect(Formatting.patientTime(utc("2026-11-30T08:00"), in: newYork, mentorDate: monday) == "03:00")
        #expect(Formatting.patientTime(utc("2026-11-30T01:00"), in: newYork, mentorDate: monday) == "20:00 Sun 29 Nov")
        #expect(Formatting.shortDay(CalendarDate("2027-03-14")!) == "Sun 14 Mar")
    }
}
