import MentorCore

/// What the site generator reads besides whole mentors: summaries (what a build
/// fingerprint digests and listings show), and counts.
extension MentorDatabase {
    /// Active mentors with only what listings, sitemaps and redirects show (name, specialties,
    /// languages, avatar, slugs, dates, paused) and `renderKey`, which changes whenever anything their
    /// own page shows does: what an incremental build reads of the mentors it does not
    /// render. Ordered by slug.
    public func mentorSummaries() throws -> [(mentor: Mentor, renderKey: String)] {
        try wrap {
            try connection.readTransaction {
                var previous: [String: [String]] = [:]
                try connection.prepare("""
                    SELECT s.mentor_id, s.slug FROM mentor_slugs s JOIN mood_mentor_profiles p ON p.id = s.mentor_id
                    WHERE s.slug <> p.slug AND p.is_active = 1 ORDER BY s.mentor_id, s.slug
                    """).forEach { previous[$0.text(0), default: []].append($0.text(1)) }
                return try connection.prepare("""
                    SELECT id, source_path, slug, name, specialty, specialties, avatar_url, content_hash, is_paused, created_at, updated_at, languages,
                           verified_at
                    FROM mood_mentor_profiles WHERE is_active = 1 ORDER BY slug
                    """).map([]) { row in
                    let id = row.text(0)
                    var profile = MentorProfile(name: row.text(3), specialty: row.optionalText(4), bio: "")
                    profile.specialties = decodeList(row.text(5))
                    profile.languages = decodeList(row.text(11))
                    profile.avatarURL = row.optionalText(6)
                    var mentor = Mentor(id: id, sourcePath: row.text(1), slug: row.text(2), previousSlugs: previous[id] ?? [],
                                        profile: profile, createdAt: row.text(9), updatedAt: row.text(10))
                    mentor.isPaused = row.int(8) == 1
                    mentor.verifiedAt = row.optionalText(12)
                    var key = StableHash()
                    key.add("\(row.optionalText(7) ?? "-") \(mentor.slug) \(row.int(8)) \(mentor.createdAt) \(mentor.updatedAt) \(mentor.verifiedAt ?? "-")")
                    return (mentor, key.hex)
                }
            }
        }
    }

    public func activeMentorCount() throws -> Int {
        try wrap { try connection.scalarInt("SELECT count(*) FROM mood_mentor_profiles WHERE is_active = 1") ?? 0 }
    }
}
