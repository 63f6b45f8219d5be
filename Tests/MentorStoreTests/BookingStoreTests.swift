import Dispatch
import Foundation
import Testing
import TestSupport
@testable import MentorStore
import MentorCore

@Suite struct BookingStoreTests {
    @Test func holdsASlotForANewPatientAndBooksForAVerifiedOne() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let held = try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday) { appointment, _ in
            [OutgoingMail(kind: "confirm", recipient: "pat@example.org", subject: "Confirm", body: "link")]
        }
        #expect(held.created)
        #expect(held.appointment.status == .pending)
        #expect(held.appointment.holdExpiresAt == sunday + 1800)
        #expect(held.appointment.localStart == "09:00")
        #expect(held.appointment.priceMinor == 9550)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM outbox WHERE kind = 'confirm'") == 1)
        let booked = try db.book(request(mentor, start: utc("2026-11-30T10:00"), email: "other@example.org", verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(booked.appointment.status == .scheduled)
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
        #expect(try db.appointment(id: first.appointment.id)?.status == .expired)
        #expect(try db.events(appointmentID: first.appointment.id) == ["→pending", "pending→expired"])
        #expect(try db.confirm(appointmentID: first.appointment.id, now: later) { _ in [] } == nil)
    }

    @Test func confirmingWorksOnceAndOnlyWhileHeld() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let held = try db.book(request(mentor, start: utc("2026-11-30T09:00")), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(try db.confirm(appointmentID: held.appointment.id, now: sunday + 1800) { _ in [] } == nil)
        let confirmed = try db.confirm(appointmentID: held.appointment.id, now: sunday + 60) { _ in [] }
        #expect(confirmed?.status == .scheduled)
        #expect(try db.confirm(appointmentID: held.appointment.id, now: sunday + 61) { _ in [] } == nil)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM patients WHERE verified_at IS NOT NULL") == 1)
    }

    @Test func cancellingObeysTheWindowAndKeepsHistory() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let booked = try db.book(request(mentor, start: utc("2026-11-30T09:00"), verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        #expect(try db.cancel(appointmentID: booked.appointment.id, by: .patient, reason: nil, window: 86_400, now: utc("2026-11-29T10:00")) { _ in [] } == nil)
        #expect(try db.cancel(appointmentID: booked.appointment.id, by: .patient, reason: nil, window: 86_400, now: utc("2026-11-29T08:00")) { _ in [] }?.status == .cancelled)
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

@Suite struct RescheduleTests {
    @Test func movesTheSameAppointmentAndFreesTheOldTime() throws {
        let (temp, db, mentor) = try bookingDatabase()
        defer { withExtendedLifetime(temp) {} }
        let booked = try db.book(request(mentor, start: utc("2026-11-30T09:00"), verified: true), rules: rules, holdSeconds: 1800, now: sunday, mail: noMail)
        let moved = try db.reschedule(appointmentID: booked.appointment.id, to: utc("2026-12-07T10:00"), window: 3600, rules: rules, now: sunday) { _ in [] }
        #expect(moved?.id == booked.appointment.id)
        #expect(moved?.start == utc("2026-12-07T10:00"))
        #expect(moved?.localDate == "2026-12-07")
        #expect(moved?.status == .scheduled)
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
