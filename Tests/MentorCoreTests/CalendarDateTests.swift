import Testing
@testable import MentorCore

@Suite struct CalendarDateTests {
    @Test func parsesRealDates() {
        #expect(CalendarDate("2026-11-26") == CalendarDate(year: 2026, month: 11, day: 26))
        #expect(CalendarDate("2028-02-29") != nil)
    }

    @Test(arguments: ["2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "+026-01-01", "2026-01-01T00:00", " 2026-01-01", "2026/01/01", "１２３４-01-01"])
    func refusesWhatFoundationWouldRollOver(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func roundTripsThroughDaysSinceEpoch() {
        for days in stride(from: -1000, through: 40_000, by: 37) {
            let date = CalendarDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(CalendarDate(date.description) == date)
        }
    }

    @Test func knowsTheWeekday() {
        #expect(CalendarDate("2026-11-26")!.weekday == .thursday)
        #expect(CalendarDate("1970-01-01")!.weekday == .thursday)
        #expect(CalendarDate("2027-03-14")!.weekday == .sunday)
    }
}

@Suite struct LocalTimeTests {
    @Test func parsesHoursAndMinutes() {
        #expect(LocalTime("09:30")?.minutes == 570)
        #expect(LocalTime("23:59")?.description == "23:59")
        #expect(LocalTime("00:00")?.minutes == 0)
    }

    @Test(arguments: ["24:00", "9:00", "09:60", "+9:00", "09:0", "09.00", "0900", "", "-1:00"])
    func refusesAnythingButHHMM(text: String) {
        #expect(LocalTime(text) == nil)
    }
}

@Suite struct WeekdayTests {
    @Test func numbersSundayAsZero() {
        #expect(Weekday(name: "sunday")?.rawValue == 0)
        #expect(Weekday(name: "saturday")?.rawValue == 6)
        #expect(Weekday(name: "Monday") == nil)
        #expect(Weekday.allCases.sorted().first == .monday)
    }
}

@Suite struct PlainDigitsTests {
    @Test func readsOnlyASCIIDigitsUpToTheLimit() {
        #expect(Int(plainDigits: "1790000000") == 1_790_000_000)
        #expect(Int(plainDigits: "62", maxDigits: 3) == 62)
        for text in ["", "+10", "-1", "1e3", " 10", "10 ", "0x10", "١٢", "1234", "9999999999999"] {
            #expect(Int(plainDigits: text, maxDigits: text == "1234" ? 3 : 12) == nil, "\(text)")
        }
    }
}
