import Foundation
import MentorCore
import Testing
@testable import Booking
@testable import BookingMail

@Suite struct PatientDetailsTests {
    func errors(_ fields: [String: String]) -> [String: String] {
        switch PatientDetails.validate(FormData(fields)) {
        case .success: return [:]
        case .failure(let errors): return errors.messages
        }
    }

    @Test func acceptsAndNormalisesGoodDetails() throws {
        let details = try PatientDetails.validate(FormData(["name": " Ana Silva ", "email": "Ana@Example.ORG", "phone": "+49 (30) 123-4567", "notes": ""])).get()
        #expect(details == PatientDetails(name: "Ana Silva", email: "ana@example.org", phone: "+49 (30) 123-4567", notes: nil))
    }

    @Test(arguments: ["", "ana", "ana@", "@example.org", "ana@example", "ana@example.org\r\nBcc: x@y.org", "a@b.org, c@d.org", "Ana <ana@example.org>", "ana @example.org", "ana@-x.org", "ann..lee@example.org", ".ann@example.org", "ann.@example.org"])
    func refusesAnythingButOneAddress(email: String) {
        #expect(errors(["name": "Ana", "email": email])["email"] == "Enter one email address, like name@example.org.")
    }

    @Test func refusesPhonesWithLettersAndOverlongNotes() {
        #expect(errors(["name": "Ana", "email": "a@b.org", "phone": "call me"])["phone"] != nil)
        #expect(errors(["name": "Ana", "email": "a@b.org", "notes": String(repeating: "x", count: 2001)])["notes"] == "Keep your notes under 2000 characters (now 2001).")
        #expect(errors(["name": "", "email": "a@b.org"])["name"] == "Enter your name.")
        #expect(errors(["name": "Ana\u{0}", "email": "a@b.org"])["name"] != nil)
    }

    @Test(arguments: ["\u{200B}\u{200B}\u{200D}", "\u{202E}Ana", "Ana\u{2066}x", "A" + String(repeating: "\u{0301}", count: 300), "\u{FEFF}", "Ana\r\nBcc"])
    func refusesNamesPeopleCannotRead(name: String) {
        #expect(errors(["name": name, "email": "a@b.org"])["name"] != nil)
    }

    @Test(arguments: ["Nguyễn Thị Đào", "Zoë O'Brien-Łukasz", "محمد علي", "山田 太郎", "Ana\u{200D}Lu"])
    func acceptsNamesInEveryScript(name: String) {
        #expect(errors(["name": name, "email": "a@b.org"])["name"] == nil)
    }
}

@Suite struct MailTests {
    @Test func splitsTheSendmailCommandWithoutAShell() {
        #expect(MailDelivery.arguments("/usr/sbin/sendmail -i -t") == ["/usr/sbin/sendmail", "-i", "-t"])
        #expect(MailDelivery.arguments("'/opt/my mail/send' --to \"a b\" ''") == ["/opt/my mail/send", "--to", "a b", ""])
        #expect(MailDelivery.arguments("x; rm -rf /") == ["x;", "rm", "-rf", "/"])
    }

    @Test func composesRFC5322WithEncodedHeaders() {
        let message = MailDelivery.compose(id: 7, from: "Mood Mentors <bookings@mentors.example>", to: "pat@example.org",
                                           subject: "Booked: José\r\nBcc: evil@example.org", body: "Line one\nLine two", date: "2026-11-26T09:30:00Z")
        #expect(message.hasPrefix("From: Mood Mentors <bookings@mentors.example>\r\nTo: <pat@example.org>\r\nSubject: =?UTF-8?B?"))
        #expect(!message.contains("\r\nBcc:"))
        #expect(message.contains("Date: Thu, 26 Nov 2026 09:30:00 +0000\r\n"))
        #expect(message.contains("Message-ID: <outbox-7-20261126093000@mentors.example>\r\n"))
        #expect(message.hasSuffix("\r\n\r\nLine one\r\nLine two\r\n"))
    }

    @Test func aNonASCIIDisplayNameIsEncodedApartFromItsAddress() {
        #expect(MailHeaders.mailbox("From", "Mood Mentors – Büro <bookings@mentors.example>") == "From: =?UTF-8?B?TW9vZCBNZW50b3JzIOKAkyBCw7xybw==?= <bookings@mentors.example>")
        #expect(MailHeaders.mailbox("From", "\"Mentors, Inc.\" <b@m.example>") == "From: \"Mentors, Inc.\" <b@m.example>")
        #expect(MailHeaders.mailbox("To", "pat@example.org") == "To: <pat@example.org>")
    }

    @Test func longSubjectsBecomeSeveralEncodedWordsOnFoldedLines() {
        let subject = "Booked: Maximiliane Friederike von Hohenzollern-Württemberg, Dienstag 8. Dezember 2026 09:00 (Europe/Berlin)"
        let header = MailHeaders.unstructured("Subject", subject)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 1 && lines.allSatisfy { $0.utf8.count <= 78 })
        let words = header.split(whereSeparator: { $0 == " " || $0 == "\r\n" || $0 == "\n" }).filter { $0.hasPrefix("=?") }
        #expect(words.count > 1 && words.allSatisfy { $0.count <= 75 })
        // Decoded and joined, the words give the subject back.
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst(10).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64))!, as: UTF8.self)
        }.joined()
        #expect(decoded == subject)
        #expect(MailHeaders.unstructured("Subject", "Plain ASCII") == "Subject: Plain ASCII")
    }
}

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

/// Instants written as UTC text.
func utc(_ text: String) -> Int {
    CalendarDate(String(text.prefix(10)))!.daysSinceEpoch * 86_400 + LocalTime(String(text.dropFirst(11).prefix(5)))!.minutes * 60
}
