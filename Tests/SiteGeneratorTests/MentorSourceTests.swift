import MentorCore
import Testing
@testable import SiteGenerator

@Suite struct MentorSourceTests {
    func parse(_ yaml: String, body: String = "Bio") -> Result<MentorProfile, Diagnostics> {
        MentorSource.parse("---\n\(yaml)\n---\n\(body)\n", file: "ana.md", defaultCurrency: "USD")
    }

    func problems(_ yaml: String) -> [String] {
        switch parse(yaml) {
        case .success: return []
        case .failure(let diagnostics): return diagnostics.items.map(\.description)
        }
    }

    @Test func readsEveryContractKey() throws {
        let yaml = """
            name: Ana Álvarez
            slug: ana
            title: Therapist
            specialty: Anxiety
            specialties: [Anxiety, Sleep]
            languages: [English, Spanish]
            therapy_types: [CBT]
            location: Lima, Peru
            gender: Female
            avatar_url: /img/ana.jpg
            email: Ana@Example.org
            experience_years: 7
            review_count: 12
            rating: 4.5
            hourly_rate: 80.5
            currency: EUR
            session_minutes: 45
            timezone: America/Lima
            education:
              - { degree: MA, institution: PUCP, year: 2015 }
            experience:
              - { title: Counsellor, place: Clinic, duration: 2015 – now }
            availability:
              - { day: monday, start: "09:00", end: "12:00" }
            blocked_dates:
              - { date: 2026-12-24, reason: Holiday }
            """
        let profile = try parse(yaml, body: "# Hi").get()
        #expect(profile == MentorProfile(
            name: "Ana Álvarez", explicitSlug: "ana", title: "Therapist", specialty: "Anxiety", location: "Lima, Peru",
            gender: "Female", avatarURL: "/img/ana.jpg", email: "ana@example.org", bio: "# Hi", specialties: ["Anxiety", "Sleep"],
            languages: ["English", "Spanish"], therapyTypes: ["CBT"], experienceYears: 7, reviewCount: 12, rating: 4.5,
            hourlyRate: Money(minorUnits: 8050, currency: "EUR"), sessionMinutes: 45, timezone: "America/Lima",
            education: [Education(degree: "MA", institution: "PUCP", year: 2015)],
            experience: [Experience(title: "Counsellor", place: "Clinic", duration: "2015 – now")],
            availability: [AvailabilityWindow(day: .monday, start: LocalTime("09:00")!, end: LocalTime("12:00")!)],
            blockedDates: [BlockedDate(date: CalendarDate("2026-12-24")!, reason: "Holiday")]))
    }

    @Test func aMeetingURLIsTheMentorsOwnHTTPSRoom() throws {
        guard case .success(let profile) = parse("name: Ana\nmeeting_url: https://meet.jit.si/ana-room") else {
            Issue.record("an https room must be accepted")
            return
        }
        #expect(profile.meetingURL == "https://meet.jit.si/ana-room")
        for bad in ["http://meet.example/ana", "/rooms/ana", "https://meet.example/a b", "javascript:alert(1)"] {
            #expect(problems("name: Ana\nmeeting_url: \"\(bad)\"").first?.contains("meeting_url: ") == true, "\(bad)")
        }
    }

    @Test func defaultsSessionLengthAndCurrency() throws {
        let profile = try parse("name: Bo\nhourly_rate: 100").get()
        #expect(profile.sessionMinutes == 50)
        #expect(profile.hourlyRate == Money(minorUnits: 10000, currency: "USD"))
    }

    @Test func requiresAName() {
        #expect(problems("title: Therapist") == ["ana.md:2: name: is required"])
        #expect(problems("name: \"  \"") == ["ana.md:2: name: must not be empty"])
    }

    /// Aliases of aliases ("billion laughs") expand without end when copied: refused.
    @Test func refusesAliasesThatExpandWithoutEnd() {
        let levels = (1...8).map { level in "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]" }
        let yaml = (["name: Bomb", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + levels + ["languages: *a8"]).joined(separator: "\n")
        let found = problems(yaml)
        #expect(found.count == 1 && found[0].hasPrefix("ana.md:") && found[0].contains("more than 100000 values"), "\(found)")
    }

    @Test func namesUnknownKeysWithASuggestion() {
        #expect(problems("name: Ana\ntimezon: Europe/Berlin") == ["ana.md:3: timezon: unknown key (did you mean \"timezone\"?)"])
    }

    @Test func refusesNonIANATimeZones() {
        #expect(problems("name: Ana\ntimezone: EST5EDT") == ["ana.md:3: timezone: \"EST5EDT\" is not an IANA time zone such as Africa/Nairobi"])
    }

    @Test func checksDaysAndTimes() {
        let yaml = """
            name: Ana
            timezone: Europe/Berlin
            availability:
              - { day: funday, start: "09:00", end: "10:00" }
              - { day: monday, start: "24:00", end: "25:00" }
              - { day: monday, start: "12:00", end: "11:00" }
              - { day: tuesday, start: "09:00", end: "12:00" }
              - { day: tuesday, start: "11:00", end: "13:00" }
            """
        #expect(problems(yaml) == [
            "ana.md:5: availability[0].day: \"funday\" is not a day: use monday … sunday",
            "ana.md:6: availability[1].end: \"25:00\" is not a time HH:MM between 00:00 and 23:59",
            "ana.md:6: availability[1].start: \"24:00\" is not a time HH:MM between 00:00 and 23:59",
            "ana.md:7: availability[2].end: 11:00 is not after start 12:00",
            "ana.md:9: availability: tuesday 11:00–13:00 overlaps 09:00–12:00",
        ])
    }

    @Test func availabilityNeedsATimeZone() {
        #expect(problems("name: Ana\navailability:\n  - { day: monday, start: \"09:00\", end: \"10:00\" }")
            == ["ana.md:3: timezone: is required when availability is given (an IANA name such as Africa/Nairobi)"])
    }

    @Test func refusesDatesThatDoNotExist() {
        #expect(problems("name: Ana\nblocked_dates:\n  - { date: 2026-02-30 }") == ["ana.md:4: blocked_dates[0].date: \"2026-02-30\" is not a real date YYYY-MM-DD"])
    }

    @Test func refusesWrongTypes() {
        #expect(problems("name: [Ana]") == ["ana.md:2: name: expected text"])
        #expect(problems("name: Ana\nexperience_years: ten") == ["ana.md:3: experience_years: expected a whole number, found \"ten\""])
        #expect(problems("name: Ana\nexperience_years: +10") == ["ana.md:3: experience_years: expected a whole number, found \"+10\""])
        #expect(problems("name: Ana\nrating: 7") == ["ana.md:3: rating: 7 is outside 0–5"])
        #expect(problems("name: Ana\nlanguages: English") == ["ana.md:3: languages: expected a list, found \"English\""])
        #expect(problems("name: Ana\nhourly_rate: 1e3") == ["ana.md:3: hourly_rate: expected a decimal amount such as 120 or 95.50, found \"1e3\""])
        #expect(problems("name: Ana\nhourly_rate: 10.555") == ["ana.md:3: hourly_rate: \"10.555\" has more decimals than USD allows or is too large"])
        #expect(problems("name: Ana\neducation:\n  - Harvard") == ["ana.md:4: education[0]: expected a mapping with degree, institution, year"])
    }

    @Test func refusesUnsafeAvatarURLs() {
        #expect(problems("name: Ana\navatar_url: javascript:alert(1)") == ["ana.md:3: avatar_url: \"javascript:alert(1)\" must be an https URL or a path starting with /"])
        #expect(problems("name: Ana\navatar_url: //evil.example/x.png") == ["ana.md:3: avatar_url: \"//evil.example/x.png\" must be an https URL or a path starting with /"])
    }

    @Test func refusesEmailsThatCouldBreakAHeader() {
        #expect(problems("name: Ana\nemail: \"ana@example.org\\r\\nBcc: x@y.org\"").count == 1)
        #expect(problems("name: Ana\nemail: a@b.org, c@d.org") == ["ana.md:3: email: \"a@b.org, c@d.org\" is not one plain email address such as ana@example.org"])
    }

    @Test func refusesBadSlugsAndDuplicates() {
        #expect(problems("name: Ana\nslug: ../etc") == ["ana.md:3: slug: \"../etc\" is not a slug: use lowercase letters, digits and single hyphens"])
        #expect(problems("name: Ana\nlanguages: [English, English]") == ["ana.md:3: languages: \"English\" is listed twice"])
    }

    @Test func reportsYAMLSyntaxErrorsWithTheFileLine() {
        let result = problems("name: Ana\ntitle: [unclosed")
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix("ana.md:") == true)
        #expect(result.first?.contains("invalid YAML") == true)
    }

    @Test func reportsDuplicateKeys() {
        #expect(problems("name: Ana\nname: Bo").contains { $0.contains("name: duplicate key") })
    }
}
