import FoundationEssentials
import MentorCore

/// A patient's answers between wizard steps, kept under a random id (a cookie) so that
/// nothing personal goes into a URL. Deleted once booked, or when they expire.
extension MentorDatabase {
    /// The draft's values, or nil when there is none or it expired.
    public func draft(id: String, now: Int) throws -> [String: String]? {
        try wrap {
            try statement("SELECT data FROM booking_drafts WHERE id = ? AND expires_at > ?").map([id, now]) {
                (try? JSONDecoder().decode([String: String].self, from: Data($0.text(0).utf8))) ?? [:]
            }.first
        }
    }

    /// Writes (or replaces) a draft for `lifetime` seconds; expired drafts go in the same
    /// transaction.
    public func saveDraft(id: String, mentorID: String, values: [String: String], now: Int, lifetime: Int) throws {
        let json = String(decoding: (try? JSONEncoder().encode(values)) ?? Data("{}".utf8), as: UTF8.self)
        try wrap {
            try connection.writeTransaction {
                try statement("DELETE FROM booking_drafts WHERE expires_at <= ?").run([now])
                try statement("""
                    INSERT INTO booking_drafts (id, mentor_id, data, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET mentor_id = excluded.mentor_id, data = excluded.data, expires_at = excluded.expires_at
                    """).run([id, mentorID, json, now + lifetime])
            }
        }
    }

    public func deleteDraft(id: String) throws {
        try wrap { try statement("DELETE FROM booking_drafts WHERE id = ?").run([id]) }
    }
}
