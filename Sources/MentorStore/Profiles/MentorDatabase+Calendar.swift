import FoundationEssentials
import MentorCore

extension MentorDatabase {
    /// One active mentor by slug, with its schedule; nil when unknown or inactive.
    public func activeMentor(slug: String) throws -> Mentor? {
        try wrap {
            guard let id = try connection.scalarText("SELECT id FROM mood_mentor_profiles WHERE slug = ? AND is_active = 1", slug) else { return nil }
            return try mentors(ids: [id]).first
        }
    }

    /// The active mentor whose notice address is `email` (lowercase), for the dashboard's
    /// REMOTE_USER. Two mentors sharing an address match neither: a login must name one.
    public func activeMentor(email: String) throws -> Mentor? {
        try wrap {
            let ids = try connection.query("SELECT id FROM mood_mentor_profiles WHERE email = ? AND is_active = 1 LIMIT 2", [email]) { $0.text(0) }
            guard ids.count == 1 else { return nil }
            return try mentors(ids: ids).first
        }
    }

    /// Blocks a date from the mentor dashboard (kept across imports). False when the date
    /// was already blocked.
    public func blockDate(mentorID: String, date: CalendarDate, reason: String?) throws -> Bool {
        try wrap {
            try connection.writeTransaction {
                try connection.run("INSERT OR IGNORE INTO mentor_blocked_dates (mentor_id, date, reason, source) VALUES (?, ?, ?, 'dashboard')",
                                   mentorID, date.description, reason)
                return connection.changes == 1
            }
        }
    }
}
