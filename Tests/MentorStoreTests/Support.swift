import Dispatch
import Foundation
import Testing
import TestSupport
@testable import MentorStore
import MentorCore

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
    BookingRequest(mentorID: mentor.id, specialty: "Anxiety", appointmentType: .video, start: start, patientName: "Pat", patientEmail: email,
                   patientPhone: nil, patientTimezone: "Europe/Berlin", notes: "private", idempotencyKey: key, patientVerified: verified,
                   paymentReference: "test_1", manageTokenHash: UUID().uuidString)
}

func noMail(_: Appointment, _: Mentor) -> [OutgoingMail] { [] }

final class ParallelResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String]
    init(count: Int) { storage = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) { lock.withLock { storage[index] = value } }
    var values: [String] { lock.withLock { storage } }
}

/// A database file in a fresh temporary folder, removed when the test ends.
final class TemporaryDatabase {
    let folder: String
    var path: String { folder + "/test.sqlite" }

    init() {
        folder = NSTemporaryDirectory() + "mentorcore-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func open() throws -> MentorDatabase { try MentorDatabase(path: path, create: true) }
}

func profile(_ name: String, slug: String? = nil, bio: String = "Bio.") -> MentorProfile {
    MentorProfile(
        name: name, explicitSlug: slug, specialty: "Anxiety", email: "mentor@example.org", bio: bio, specialties: ["Anxiety", "Sleep"],
        languages: ["English"], hourlyRate: Money(decimal: "95.50", currency: "EUR"), timezone: "Europe/Berlin",
        education: [Education(degree: "MA", institution: "Uni A", year: 2010), Education(degree: "BA", institution: "Uni B", year: nil)],
        experience: [Experience(title: "Therapist", place: "Clinic", duration: "2010 – now")],
        availability: [AvailabilityWindow(day: .monday, start: LocalTime("09:00")!, end: LocalTime("12:00")!)],
        blockedDates: [BlockedDate(date: CalendarDate("2026-12-24")!, reason: "Holiday")])
}

/// The slug `sync` makes from a name in these tests: diacritics folded by Foundation (the
/// site generator's own `Slug.make` transliterates with ICU; the store only needs a function).
func foldedSlug(_ name: String) -> String {
    Slug.make(transliterated: name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased(), original: name)
}

extension MentorDatabase {
    /// `sync` with `foldedSlug` at a fixed time.
    func sync(_ entries: [(sourcePath: String, profile: MentorProfile)], now: String = "2026-01-01T00:00:00Z") throws -> SyncReport {
        try sync(entries, now: now, slugFromName: foldedSlug)
    }
}
