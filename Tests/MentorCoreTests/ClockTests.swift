import Testing
@testable import MentorCore

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
