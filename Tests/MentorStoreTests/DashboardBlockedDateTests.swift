import Dispatch
import Foundation
import Testing
import TestSupport
@testable import MentorStore
import MentorCore

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
