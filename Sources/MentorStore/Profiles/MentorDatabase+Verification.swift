import MentorCore

/// One entry of a mentor's verification history.
public struct VerificationRecord: Equatable, Sendable {
    public var action: String
    public var at: String
    public var actor: String
    public var note: String
}

/// Verification: an operator records that they checked a mentor's credentials, or
/// withdraws it. The profile's `verified_at` shows as a dated badge; the history keeps who,
/// when and what was checked. Each change is queued for publishing like a web edit.
extension MentorDatabase {
    /// Verifies (`verified: true`) or withdraws the verification of the listed mentor with
    /// this slug. Returns nil when there is no such mentor.
    public func setVerified(slug: String, _ verified: Bool, note: String, actor: String, now: Int) throws -> Mentor? {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Mentor? in
                guard let id = try statement("SELECT id FROM mood_mentor_profiles WHERE slug = ? AND is_active = 1").map([slug], { $0.text(0) }).first else {
                    return nil
                }
                try statement("UPDATE mood_mentor_profiles SET verified_at = ? WHERE id = ?").run([verified ? stamp : nil, id])
                try statement("INSERT INTO mentor_verifications (mentor_id, action, at, actor, note) VALUES (?, ?, ?, ?, ?)")
                    .run([id, verified ? "verify" : "unverify", stamp, actor, note])
                try recordSiteChange(mentorID: id, reason: verified ? "verified" : "verification withdrawn", stamp: stamp)
                return try mentors(ids: [id]).first
            }
        }
    }

    /// The mentor's verification history, oldest first.
    public func verificationHistory(slug: String) throws -> [VerificationRecord] {
        try wrap {
            try statement("""
                SELECT v.action, v.at, v.actor, v.note FROM mentor_verifications v JOIN mood_mentor_profiles p ON p.id = v.mentor_id
                WHERE p.slug = ? ORDER BY v.id
                """).map([slug]) { VerificationRecord(action: $0.text(0), at: $0.text(1), actor: $0.text(2), note: $0.text(3)) }
        }
    }
}
