import Dispatch
import Foundation
import Testing
@testable import MentorCore
import SiteGenerator

/// A database with one mentor, Mondays 09:00–12:00 UTC, one-hour sessions.
func bookingDatabase() throws -> (TemporaryDatabase, MentorDatabase, Mentor) {
    let temp = TemporaryDatabase()
    let db = try temp.open()
    var p = profile("Ana")
    p.timezone = "UTC"
    p.sessionMinutes = 60
    p.availability = [AvailabilityWindow(day: .monday, start: LocalTime("09:00")!, end: LocalTime("12:00")!)]
    p.blockedDates = []
    _ = try db.sync([("mentors/ana.md", p)])
    return (temp, db, try db.mentors()[0])
}

let sunday = utc("2026-11-29T00:00")
let rules = BookingRules(minimumNotice: 3600, horizonDays: 60)

func request(_ mentor: Mentor, start: Int, email: String = "pat@example.org", key: String = UUID().uuidString, verified: Bool = false) -> BookingRequest {
    BookingRequest(mentorID: mentor.id, specialty: "Anxiety", appointmentType: "video", start: start, patientName: "Pat", patientEmail: email,
                   patientPhone: nil, patientTimezone: "Europe/Berlin", notes: "private", idempotencyKey: key, patientVerified: verified,
                   paymentReference: "test_1", manageTokenHash: UUID().uuidString)
}

func noMail(_: Appointment, _: Mentor) -> [OutgoingMail] { [] }

@Suite struct BookingStoreTests {
    @Test func holdsASlotForANewPatientAndBooksForAVerifiedOne() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let held = try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday) { appointment, _ in
            [OutgoingMail(kind: "confirm", recipient: "pat@example.org", subject: "Confirm", body: "link")]
        }
        #expect(held.created)
        #expect(held.appointment.status == "pending")
        #expect(held.appointment.holdExpiresAt == sunday + 1800)
        #expect(held.appointment.localStart == "09:00")
        #expect(held.appointment.priceMinor == 9550)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM outbox WHERE kind = 'confirm'") == 1)
        let booked = try db.book(request(mentor, start: utc("2026-11-30T10:00"), email: "other@example.org", verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(booked.appointment.status == "scheduled")
        #expect(booked.appointment.holdExpiresAt == nil)
    }

    @Test func aRepeatedSubmitBooksOnce() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let first = try db.book(request(mentor, start: utc("2026-11-30T09:00"), key: "k1"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        let second = try db.book(request(mentor, start: utc("2026-11-30T09:00"), key: "k1"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(second.appointment == first.appointment)
        #expect(!second.created)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM appointments") == 1)
    }

    @Test func aTakenSlotIsRefusedWithTheNearestFreeOnes() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        _ = try db.book(request(mentor, start: utc("2026-11-30T10:00")), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(throws: BookingFailure.slotTaken(nearest: [
            Slot(start: utc("2026-11-30T09:00"), end: utc("2026-11-30T10:00"), localDate: CalendarDate("2026-11-30")!, localStart: LocalTime("09:00")!, offset: 0),
            Slot(start: utc("2026-11-30T11:00"), end: utc("2026-11-30T12:00"), localDate: CalendarDate("2026-11-30")!, localStart: LocalTime("11:00")!, offset: 0),
            Slot(start: utc("2026-12-07T09:00"), end: utc("2026-12-07T10:00"), localDate: CalendarDate("2026-12-07")!, localStart: LocalTime("09:00")!, offset: 0),
        ])) {
            try db.book(request(mentor, start: utc("2026-11-30T10:00"), email: "b@example.org"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        }
    }

    @Test(arguments: [
        "2026-11-30T09:30",  // off the interval
        "2026-11-30T12:00",  // past the weekly hours
        "2026-12-01T09:00",  // a Tuesday
        "2026-11-28T09:00",  // in the past
        "2027-03-01T09:00",  // past the horizon
    ])
    func everyRuleIsCheckedAgain(start: String) throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        #expect(throws: BookingFailure.self) {
            try db.book(request(mentor, start: utc(start)), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        }
        #expect(try db.connection.scalarInt("SELECT count(*) FROM appointments") == 0)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM patients") == 0)
    }

    @Test func anExpiredHoldFreesTheSlotAndKeepsItsHistory() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let first = try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        let later = sunday + 1801
        let second = try db.book(request(mentor, start: utc("2026-11-30T09:00"), email: "b@example.org"), rules: rules, holdSeconds: 1800, now: later, mail: noMail)
        #expect(second.created)
        #expect(try db.appointment(id: first.appointment.id)?.status == "expired")
        #expect(try db.events(appointmentID: first.appointment.id) == ["→pending", "pending→expired"])
        #expect(try db.confirm(appointmentID: first.appointment.id, now: later) { _ in [] } == nil)
    }

    @Test func confirmingWorksOnceAndOnlyWhileHeld() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let held = try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(try db.confirm(appointmentID: held.appointment.id, now: sunday + 1800) { _ in [] } == nil)
        let confirmed = try db.confirm(appointmentID: held.appointment.id, now: sunday + 60) { _ in [] }
        #expect(confirmed?.status == "scheduled")
        #expect(try db.confirm(appointmentID: held.appointment.id, now: sunday + 61) { _ in [] } == nil)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM patients WHERE verified_at IS NOT NULL") == 1)
    }

    @Test func cancellingObeysTheWindowAndKeepsHistory() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let booked = try db.book(request(mentor, start: utc("2026-11-30T09:00"), verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(try db.cancel(appointmentID: booked.appointment.id, window: 86_400, now: utc("2026-11-29T10:00")) { _ in [] } == nil)
        #expect(try db.cancel(appointmentID: booked.appointment.id, window: 86_400, now: utc("2026-11-29T08:00")) { _ in [] }?.status == "cancelled")
        #expect(try db.events(appointmentID: booked.appointment.id) == ["→scheduled", "scheduled→cancelled"])
        // The slot is free again.
        #expect(try db.book(request(mentor, start: utc("2026-11-30T09:00"), email: "c@example.org"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail).created)
    }

    @Test func parallelBookingsOfOneSlotMakeOneAppointment() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        _ = db
        let path = temp.path
        let outcomes = ParallelResults(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let connection = try MentorDatabase(path: path, create: false, synchronousFull: true)
                _ = try connection.book(request(mentor, start: utc("2026-11-30T09:00"), email: "p\(index)@example.org"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
                outcomes.set(index, "booked")
            } catch BookingFailure.slotTaken {
                outcomes.set(index, "taken")
            } catch {
                outcomes.set(index, "error: \(error)")
            }
        }
        #expect(outcomes.values.filter { $0 == "booked" }.count == 1)
        #expect(outcomes.values.filter { $0 == "taken" }.count == 7)
    }
}

final class ParallelResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String]
    init(count: Int) { storage = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) { lock.withLock { storage[index] = value } }
    var values: [String] { lock.withLock { storage } }
}

@Suite struct RateLimitTests {
    @Test func refusesPastTheLimitUntilTheWindowEnds() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        for _ in 0..<3 { #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 7200 + 10) == nil) }
        #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 7200 + 100) == 3500)
        #expect(try db.rateLimit("ip:2", limit: 3, window: 3600, now: 7200 + 100) == nil)
        #expect(try db.rateLimit("ip:1", limit: 3, window: 3600, now: 10_800) == nil)
        #expect(try db.connection.scalarInt("SELECT count FROM rate_limits WHERE key = 'ip:1' AND window_start = 7200") == 3)
    }
}

@Suite struct RescheduleTests {
    @Test func movesTheSameAppointmentAndFreesTheOldTime() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let booked = try db.book(request(mentor, start: utc("2026-11-30T09:00"), verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        let moved = try db.reschedule(appointmentID: booked.appointment.id, to: utc("2026-12-07T10:00"), window: 3600, rules: rules, now: sunday) { _ in [] }
        #expect(moved?.id == booked.appointment.id)
        #expect(moved?.start == utc("2026-12-07T10:00"))
        #expect(moved?.localDate == "2026-12-07")
        #expect(moved?.status == "scheduled")
        #expect(try db.events(appointmentID: booked.appointment.id) == ["→scheduled", "scheduled→rescheduled"])
        #expect(try db.book(request(mentor, start: utc("2026-11-30T09:00"), email: "b@example.org"), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail).created)
    }

    @Test func refusesATakenTimeAndThePassedWindow() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let first = try db.book(request(mentor, start: utc("2026-11-30T09:00"), verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        _ = try db.book(request(mentor, start: utc("2026-11-30T10:00"), email: "b@example.org", verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(throws: BookingFailure.self) {
            try db.reschedule(appointmentID: first.appointment.id, to: utc("2026-11-30T10:00"), window: 3600, rules: rules, now: sunday) { _ in [] }
        }
        #expect(try db.reschedule(appointmentID: first.appointment.id, to: utc("2026-12-07T09:00"), window: 86_400, rules: rules, now: utc("2026-11-29T10:00")) { _ in [] } == nil)
        #expect(try db.appointment(id: first.appointment.id)?.start == utc("2026-11-30T09:00"))
    }
}

@Suite struct DashboardBlockedDateTests {
    @Test func survivesReimportAndBlocksBookings() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        #expect(try db.blockDate(mentorID: mentor.id, date: CalendarDate("2026-11-30")!, reason: "Training"))
        #expect(try !db.blockDate(mentorID: mentor.id, date: CalendarDate("2026-11-30")!, reason: "Again"))
        // Re-importing the unchanged content file changes nothing and keeps the date.
        let report = try db.sync([("mentors/ana.md", mentor.profile)])
        #expect(report.isEmpty)
        #expect(try db.mentors()[0].dashboardBlockedDates.map(\.date) == [CalendarDate("2026-11-30")!])
        #expect(throws: BookingFailure.self) {
            try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        }
        // A changed profile rewrites the content's dates, not the dashboard's.
        var changed = mentor.profile
        changed.bio = "New bio."
        _ = try db.sync([("mentors/ana.md", changed)])
        #expect(try db.mentors()[0].dashboardBlockedDates.count == 1)
    }
}
