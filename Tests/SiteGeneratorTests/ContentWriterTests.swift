import Foundation
import Testing
@testable import SiteGenerator
import MentorCore

/// `mentorsite export` writes what `import` reads back unchanged: YAML written by hand,
/// held to the full YAML parser (Yams) over tricky values. (Control characters such as tab
/// never reach a profile: the reader and the web editor refuse them alike.)
@Suite struct ContentWriterTests {
    @Test func exportedFilesReadBackAsTheSameProfile() throws {
        let tricky = ["José \"Pepe\" Müller", "yes", "null", "~", "123", "4.50", "a: b # c", "- dash", "[bracket]", "{brace}", "'single'", "back\\slash",
                      "#hash", "50% off", "colon:", "@at", "`tick`", "%pct", "&amp", "*star", "!bang", "|pipe", ">gt", "Nguyễn Thị Đào", "日本語", "—"]
        for (index, text) in tricky.enumerated() {
            var profile = MentorProfile(name: text == "null" || text == "~" ? "N" : "Name \(index)", title: text, specialty: text, location: text, bio: "Bio with \(text).\n\nSecond paragraph.")
            profile.specialties = [text, "Other"]
            profile.languages = [text]
            profile.hourlyRate = Money(decimal: "95.50", currency: "EUR")
            profile.rating = 4.8
            profile.timezone = "Europe/Berlin"
            profile.education = [Education(degree: text, institution: "Uni \(text)", year: 2009)]
            profile.experience = [Experience(title: text, place: text, duration: nil)]
            profile.availability = [AvailabilityWindow(day: .tuesday, start: LocalTime("08:00")!, end: LocalTime("12:00")!)]
            profile.blockedDates = [BlockedDate(date: CalendarDate("2026-12-24")!, reason: text)]
            let file = ContentWriter.file(profile)
            switch MentorSource.parse(file, file: "mentors/x.md", defaultCurrency: "USD") {
            case .success(let read): #expect(read == profile, "\(file)")
            case .failure(let problems): Issue.record("\(problems)\n\(file)")
            }
        }
    }
}
