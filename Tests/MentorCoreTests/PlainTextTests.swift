import Foundation
import Testing
import TestSupport
@testable import MentorCore

@Suite struct PlainTextTests {
    @Test(arguments: ["José Müller", "Nguyễn Thị Đào", "Иван Петров", "محمد", "Life transitions", "Ana\u{200D}Lu", "a\u{0301}\u{0302}"])
    func acceptsVisibleTextInAnyScript(text: String) {
        #expect(PlainText.problem(text) == nil)
    }

    @Test func refusesWhatCouldBreakAFileOrFoolAReader() {
        #expect(PlainText.problem("Ana\r\nATTENDEE:x") == "must be one line of text without control characters (U+000D)")
        #expect(PlainText.problem("Ana\u{7}") == "must be one line of text without control characters (U+0007)")
        #expect(PlainText.problem("Ana\u{85}") == "must be one line of text without control characters (U+0085)")
        #expect(PlainText.problem("\u{202E}anA") == "must not contain bidirectional override or isolate characters (U+202E)")
        #expect(PlainText.problem("x\u{2067}y") == "must not contain bidirectional override or isolate characters (U+2067)")
        #expect(PlainText.problem("\u{200B}\u{200C} \u{FEFF}") == "has no visible characters")
        #expect(PlainText.problem("a" + String(repeating: "\u{0300}", count: 5)) == "has more than 4 combining marks on one character")
    }
}

@Suite struct ProfileWriterTests {
    /// Written as content keys and read back with import's rules, a profile is itself.
    @Test func profilesSurviveTheRoundTrip() {
        var random = SeededRandom(seed: 13)
        let words = ["Ana", "Zoë", "O'Brien", "yes", "null", "~", "123", "4.5", "a: b", "- x", "#tag", "\"quoted\"", "back\\slash", "Straße", "日本", "—"]
        func phrase() -> String { (0..<(1 + random.next(upTo: 3))).map { _ in words[random.next(upTo: words.count)] }.joined(separator: " ") }
        for _ in 0..<300 {
            var profile = MentorProfile(name: phrase(), bio: "Bio.")
            if random.next(upTo: 2) == 0 { profile.title = phrase() }
            if random.next(upTo: 2) == 0 { profile.location = phrase() }
            profile.specialties = Array(Set((0..<random.next(upTo: 4)).map { _ in phrase() }))
            profile.languages = Array(Set((0..<random.next(upTo: 3)).map { _ in phrase() }))
            if random.next(upTo: 2) == 0 { profile.hourlyRate = Money(decimal: "\(random.next(upTo: 300)).\(random.next(upTo: 10))0", currency: "EUR") }
            if random.next(upTo: 2) == 0 { profile.rating = Double(random.next(upTo: 51)) / 10 }
            profile.education = (0..<random.next(upTo: 3)).map { _ in Education(degree: phrase(), institution: phrase(), year: random.next(upTo: 2) == 0 ? nil : 1950 + random.next(upTo: 70)) }
            profile.experience = (0..<random.next(upTo: 3)).map { _ in Experience(title: phrase(), place: phrase(), duration: random.next(upTo: 2) == 0 ? nil : phrase()) }
            var reader = YAMLReader(file: "round-trip", mapping: ProfileWriter.mapping(profile))
            switch ProfileReader.read(&reader, bio: profile.bio, defaultCurrency: "USD") {
            case .success(let read): #expect(read == profile)
            case .failure(let problems): Issue.record("\(problems) for \(profile)")
            }
        }
    }
}
