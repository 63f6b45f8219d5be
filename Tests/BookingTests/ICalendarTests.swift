import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

@Suite struct ICalendarTests {
    func event(status: AppointmentStatus = .scheduled, mentor: String = "Ana Weber", sequence: Int = 0) -> ICalendar.Event {
        let appointment = Appointment(id: "a1b2", mentorID: "m", patientID: "p", specialty: nil, appointmentType: .video, start: 1_796_126_400,
                                      end: 1_796_129_400, mentorTimezone: "Europe/Berlin", localDate: "2026-12-01", localStart: "13:00", utcOffset: 3600,
                                      patientTimezone: nil, status: status, holdExpiresAt: nil, priceMinor: nil, currency: nil)
        return ICalendar.Event(appointment: appointment, mentorName: mentor, siteName: "Mood Mentors", host: "mentors.example",
                               organizer: "help@mentors.example", sequence: sequence, now: 1_796_087_100)
    }

    @Test func everyContentLineFitsIn75OctetsAndUnfoldsToTheOriginal() {
        let long = "Maximiliane Friederike Alexandra von Hohenzollern-Sigmaringen-Württemberg Ærøskøbing-Ødegård"
        let file = ICalendar.file(event(mentor: long))
        for line in file.split(separator: "\r\n", omittingEmptySubsequences: false) {
            #expect(line.utf8.count <= 75, "\(line)")
        }
        let unfolded = file.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:Video call with \(long)\r\n"))
    }

    @Test func foldingNeverSplitsACharacter() {
        let folded = ICalendar.fold("SUMMARY:" + String(repeating: "€", count: 40))
        #expect(folded.split(separator: "\r\n ").allSatisfy { String($0).utf8.count <= 75 && !String($0).contains("\u{FFFD}") })
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == "SUMMARY:" + String(repeating: "€", count: 40) + "\r\n")
    }

    @Test func lineBreaksInTextCannotStartAProperty() {
        #expect(ICalendar.text("Ana\r\nATTENDEE:mailto:x@y.org") == "Ana\\nATTENDEE:mailto:x@y.org")
        #expect(ICalendar.text("a\rb\nc\u{7}d;e,f\\g") == "a\\nb\\ncd\\;e\\,f\\\\g")
    }

    @Test func aCancelledSessionSaysSoWithAHigherSequenceAndTheSameUID() {
        let booked = ICalendar.file(event(sequence: 1))
        let cancelled = ICalendar.file(event(status: .cancelled, sequence: 2))
        #expect(booked.contains("METHOD:PUBLISH\r\n") && booked.contains("STATUS:CONFIRMED\r\n") && booked.contains("SEQUENCE:1\r\n"))
        #expect(cancelled.contains("METHOD:CANCEL\r\n") && cancelled.contains("STATUS:CANCELLED\r\n") && cancelled.contains("SEQUENCE:2\r\n"))
        #expect(booked.contains("UID:a1b2@mentors.example\r\n") && cancelled.contains("UID:a1b2@mentors.example\r\n"))
    }
}
