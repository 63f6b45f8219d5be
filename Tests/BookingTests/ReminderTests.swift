import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// Reminders 24 h and 1 h before a session, to patient and mentor, queued by the sweep of
/// `mentorsite mail` exactly once per session, offset and start time.
@Suite struct ReminderTests {
    func reminders(_ site: WizardSite) throws -> [(kind: String, recipient: String, body: String)] {
        try site.database.connection.query("SELECT kind, recipient, body FROM outbox WHERE kind LIKE '%reminder%' ORDER BY id") { ($0.text(0), $0.text(1), $0.text(2)) }
    }

    func sweep(_ site: WizardSite, at now: Int) throws -> Int {
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: now)
        return try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: now) { _ in }.reminders
    }

    @Test func aSessionGetsEachReminderOnceAtItsTimeToPatientAndMentor() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let start = try #require(try site.database.appointment(id: id)).start
        #expect(try sweep(site, at: start - 25 * 3600) == 0)
        #expect(try sweep(site, at: start - 24 * 3600 + 300) == 1)
        #expect(try sweep(site, at: start - 24 * 3600 + 300) == 0)
        #expect(try sweep(site, at: start - 20 * 3600) == 0)
        #expect(try sweep(site, at: start - 3000) == 1)
        #expect(try sweep(site, at: start - 600) == 0)
        let sent = try reminders(site)
        #expect(sent.map(\.kind) == ["reminder", "mentor-reminder", "reminder", "mentor-reminder"])
        #expect(sent.map(\.recipient) == ["pat@example.org", "ana@mentors.example", "pat@example.org", "ana@mentors.example"])
        #expect(sent[0].body.contains("starts in 24 hours, on\n") && sent[2].body.contains("starts in 1 hour, on\n"))
        let link = try #require(try site.database.appointment(id: id)?.meetingLink)
        #expect(sent.allSatisfy { $0.body.contains(link) })
        #expect(sent[0].body.contains("http://127.0.0.1:8080/cgi-bin/book/sessions"))
        #expect(!sent.contains { $0.body.contains("Sleeping badly") })
        #expect(try site.database.reminders(appointmentID: id).map(\.minutesBefore) == [1440, 60])
    }

    @Test func aLateRunSkipsAReminderWhoseTimeHasPassedButNotTheNextOne() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let start = try #require(try site.database.appointment(id: id)).start
        // mail did not run for a day: two hours before, the 24-hour reminder is stale.
        #expect(try sweep(site, at: start - 2 * 3600) == 0)
        #expect(try sweep(site, at: start - 50 * 60) == 1)
        #expect(try reminders(site).map(\.kind) == ["reminder", "mentor-reminder"])
        #expect(try reminders(site)[0].body.contains("starts in 1 hour"))
    }

    @Test func cancelledSessionsGetNoneAndAMovedOneGetsNewOnes() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let appointment = try #require(try site.database.appointment(id: id))
        #expect(try sweep(site, at: appointment.start - 23 * 3600) == 1)
        // Moved a week later: the reminders not yet sent for the old time are dropped.
        let rules = site.config.booking.rules
        let moved = try site.database.reschedule(appointmentID: id, to: appointment.start + 7 * 86_400, window: 0, rules: rules, now: appointment.start - 23 * 3600) { _ in [] }
        #expect(moved != nil)
        #expect(try reminders(site).isEmpty)
        #expect(try sweep(site, at: appointment.start + 6 * 86_400 + 300) == 1)
        // Cancelled: nothing more.
        _ = try site.database.cancel(appointmentID: id, by: .mentor, reason: "ill", window: 0, now: appointment.start + 6 * 86_400 + 600) { _ in [] }
        #expect(try reminders(site).isEmpty)
        #expect(try sweep(site, at: appointment.start + 7 * 86_400 - 3000) == 0)
    }

    @Test func twoSweepsAtOnceQueueEachReminderOnce() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let start = try #require(try site.database.appointment(id: id)).start
        let path = site.config.database
        let config = site.config
        let counts = LockedCounts()
        let threads = (0..<4).map { _ in
            Thread {
                let database = try! MentorDatabase(path: path, create: false)
                let provider = TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: start - 3000)
                let queued = try! Housekeeping.run(database: database, payments: provider, config: config, now: start - 3000) { _ in }.reminders
                counts.add(queued)
            }
        }
        threads.forEach { $0.start() }
        while counts.runs < 4 { usleep(10_000) }
        #expect(counts.total == 1)
        #expect(try reminders(site).count == 2)
    }

    @Test func anSMSGoesOnlyToAPatientWhoAskedForItWhereSMSAreConfigured() throws {
        let site = try WizardSite(now: tuesdayNight, mentors: [WizardSite.berlinMentor(email: nil)], configText: "sms_command: /bin/true")
        let id = try bookWithAna(site)
        try site.database.connection.execute("UPDATE appointments SET sms_consent = 1, patient_phone = '+49 30 1234567'")
        let start = try #require(try site.database.appointment(id: id)).start
        #expect(try sweep(site, at: start - 3000) == 1)
        let sms = try site.database.connection.query("SELECT recipient, body, channel FROM outbox WHERE kind = 'reminder-sms'") { ($0.text(0), $0.text(1), $0.text(2)) }
        #expect(sms.count == 1 && sms[0].0 == "+49 30 1234567" && sms[0].2 == "sms")
        #expect(sms[0].1.hasPrefix("Mood Mentors: your video call with Ana Weber starts in 1 hour, ") && sms[0].1.contains(" Join: https://meet.jit.si/"))
        // No mentor email: only the patient's two messages.
        #expect(try reminders(site).map(\.kind) == ["reminder", "reminder-sms"])
    }
}

final class LockedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ value: Int) { lock.lock(); values.append(value); lock.unlock() }
    var runs: Int { lock.lock(); defer { lock.unlock() }; return values.count }
    var total: Int { lock.lock(); defer { lock.unlock() }; return values.reduce(0, +) }
}
