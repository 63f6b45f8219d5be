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

@Suite struct MoneyTests {
    @Test func parsesExactDecimals() {
        #expect(Money(decimal: "120", currency: "USD")?.minorUnits == 12000)
        #expect(Money(decimal: "95.5", currency: "EUR")?.minorUnits == 9550)
        #expect(Money(decimal: "0.07", currency: "EUR")?.minorUnits == 7)
        #expect(Money(decimal: "9000", currency: "JPY")?.minorUnits == 9000)
        #expect(Money(decimal: "1.250", currency: "KWD")?.minorUnits == 1250)
    }

    @Test(arguments: [("95.555", "EUR"), ("90.5", "JPY"), ("-10", "USD"), ("+10", "USD"), ("1e3", "USD"), ("10.", "USD"), (".5", "USD"), ("", "USD"), ("12345678901", "USD")])
    func refusesInexactOrSignedAmounts(text: String, currency: String) {
        #expect(Money(decimal: text, currency: currency) == nil)
    }

    @Test func printsForPeople() {
        #expect(Money(minorUnits: 12000, currency: "USD").formatted == "$120")
        #expect(Money(minorUnits: 7917, currency: "EUR").formatted == "€79.17")
        #expect(Money(minorUnits: 450000, currency: "KES").formatted == "KES 4,500")
        #expect(Money(minorUnits: 9000, currency: "JPY").formatted == "¥9,000")
        #expect(Money(minorUnits: 9550, currency: "EUR").decimalText == "95.50")
    }

    @Test func pricesASessionFromTheHourlyRate() {
        #expect(Money(minorUnits: 12000, currency: "USD").forSession(minutes: 50).minorUnits == 10000)
        #expect(Money(minorUnits: 9500, currency: "EUR").forSession(minutes: 50).minorUnits == 7917)
        #expect(Money(minorUnits: 9000, currency: "JPY").forSession(minutes: 45).minorUnits == 6750)
    }
}

@Suite struct TimeZoneNameTests {
    @Test(arguments: ["Africa/Nairobi", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "America/Argentina/Buenos_Aires", "UTC", "Pacific/Auckland"])
    func acceptsIANANames(name: String) {
        #expect(TimeZones.isIANAName(name))
    }

    @Test(arguments: ["EST5EDT", "GMT+5", "Etc/GMT+5", "US/Eastern", "EST", "Mars/Olympus", "Europe/Nowhere", "Europe/../Berlin", "europe/berlin", ""])
    func refusesPOSIXAndMadeUpNames(name: String) {
        #expect(!TimeZones.isIANAName(name))
    }
}

@Suite struct TimestampTests {
    @Test func formatsUTC() {
        #expect(Timestamp.format(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(secondsSinceEpoch: 1_795_000_000) == "2026-11-18T11:06:40Z")
    }

    @Test func honoursSourceDateEpoch() {
        #expect(Timestamp.now(environment: ["SOURCE_DATE_EPOCH": "86400"]) == "1970-01-02T00:00:00Z")
    }

    @Test func recordsTheTestClockWhenNoSourceDateEpochIsSet() {
        #expect(Timestamp.now(environment: ["MENTORSITE_TEST_NOW": "1796087100"]) == "2026-12-01T01:05:00Z")
        #expect(Timestamp.now(environment: ["MENTORSITE_TEST_NOW": "1796087100", "SOURCE_DATE_EPOCH": "0"]) == "1970-01-01T00:00:00Z")
    }
}

@Suite struct ClockTests {
    @Test func takesNowFromTheTestVariable() throws {
        #expect(try Clock.now(environment: ["MENTORSITE_TEST_NOW": "1796087100"]) == 1_796_087_100)
    }

    @Test func refusesATestNowThatIsNotPlainDigits() {
        for text in ["", "+1796087100", "1796087100.5", "2026-12-01", "-5", "1e9"] {
            #expect(throws: Clock.InvalidTestNow(text: text)) { try Clock.now(environment: ["MENTORSITE_TEST_NOW": text]) }
        }
    }

    @Test func withoutTheVariableItIsTheSystemClock() throws {
        let before = Clock.systemNow()
        let now = try Clock.now(environment: [:])
        #expect(now >= before && now <= Clock.systemNow())
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
