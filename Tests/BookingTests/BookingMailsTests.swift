import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// The mails are templates (`templates/mail/`): what a patient and a mentor read, line by line.
@Suite struct BookingMailsTests {
    func mails(_ site: WizardSite) throws -> [OutgoingMail] {
        try site.database.connection.query("SELECT kind, recipient, subject, body FROM outbox ORDER BY id") {
            OutgoingMail(kind: $0.text(0), recipient: $0.text(1), subject: $0.text(2), body: $0.text(3))
        }
    }

    @Test func aNewPatientsConfirmationMailInTheirOwnZone() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, start) = walkToPayment(site, patientZone: "America/New_York") { $0.last }
        _ = browser.post("/payment", paymentForm(payment))
        let mail = try #require(try mails(site).first)
        #expect(mail.kind == "confirm" && mail.recipient == "pat@example.org")
        #expect(mail.subject == "Confirm your session with Ana Weber")
        let newYork = try #require(ZoneRules(identifier: "America/New_York"))
        let lines = mail.body.components(separatedBy: "\n")
        #expect(lines[0] == "Hello Pat Doe,")
        #expect(lines[1] == "")
        #expect(lines[2] == "please confirm your session with Ana Weber on \(Formatting.instantAndZone(start, in: newYork)).")
        #expect(lines[3] == "We hold this time for you until \(Formatting.time(site.now + 30 * 60, in: newYork)) (America/New_York).")
        #expect(lines[5] == "Open this link and press \"Confirm my booking\":")
        #expect(lines[6].hasPrefix("http://127.0.0.1:8080/cgi-bin/book/confirm?token="))
        #expect(lines.last == "If you did not ask for this, ignore this email and the time is released.")
        #expect(!mail.body.contains("Sleeping badly"))
    }

    @Test func theBookedMailGivesBothZonesAndTheManageLinkAndTheMentorHearsOnlyTheName() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, start) = walkToPayment(site, patientZone: "America/New_York") { $0.last }
        _ = browser.post("/payment", paymentForm(payment))
        let confirm = try #require(try mails(site).first)
        let token = String(confirm.body.split(separator: "token=")[1].prefix { !$0.isWhitespace })
        let page = browser.get("/confirm", "token=" + token)
        #expect(browser.post("/confirm", [("csrf", page.field("csrf")!), ("token", token)]).status == 303)
        let sent = try mails(site)
        let booked = try #require(sent.first { $0.kind == "booked" })
        let berlin = try #require(ZoneRules(identifier: "Europe/Berlin"))
        let newYork = try #require(ZoneRules(identifier: "America/New_York"))
        #expect(booked.subject == "Booked: Ana Weber, \(Formatting.subjectTime(start, in: newYork))")
        #expect(booked.body.contains("your video call with Ana Weber is booked for\n\(Formatting.instantAndZone(start, in: newYork)).\n"))
        #expect(booked.body.contains("In Ana Weber's time zone: \(Formatting.instantAndZone(start, in: berlin))."))
        #expect(booked.body.contains("\n\nView, add to your calendar, move or cancel:\nhttp://127.0.0.1:8080/cgi-bin/book/manage?token="))
        // Both hear where to meet: a room made for this session from the default pattern.
        let link = try #require(try site.database.appointment(id: site.database.connection.query("SELECT id FROM appointments") { $0.text(0) }[0])?.meetingLink)
        #expect(link.hasPrefix("https://meet.jit.si/mentorsite-") && link.count == "https://meet.jit.si/mentorsite-".count + 22)
        #expect(booked.body.contains("\n\nJoin the video call in your browser at the start time:\n\(link)\n\nView, add to your calendar"))
        let notice = try #require(sent.first { $0.kind == "mentor-booked" })
        #expect(notice.recipient == "ana@mentors.example")
        #expect(notice.subject == "New session: \(Formatting.subjectTime(start, in: berlin))")
        #expect(notice.body == """
            Hello Ana Weber,

            Pat Doe booked a video call with you on \(Formatting.instantAndZone(start, in: berlin)).

            Join the video call in your browser at the start time:
            \(link)

            Contact details and your upcoming sessions: http://127.0.0.1:8080/cgi-bin/book/dashboard
            """)
        #expect(!notice.body.contains("pat@example.org") && !notice.body.contains("Sleeping"))
    }
}
