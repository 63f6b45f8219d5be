import MentorCore

/// What the site generator reads besides whole mentors: the rows a build fingerprint
/// digests, and counts.
extension MentorDatabase {
    /// Every mentor's content file, current slug, content digest and whether it is listed,
    /// ordered by file.
    public func profileDigests() throws -> [(sourcePath: String, slug: String, contentHash: String?, isActive: Bool)] {
        try wrap {
            try statement("SELECT source_path, slug, content_hash, is_active FROM mood_mentor_profiles ORDER BY source_path").map([]) {
                ($0.text(0), $0.text(1), $0.optionalText(2), $0.int(3) == 1)
            }
        }
    }

    /// Every slug ever published, with the file of the mentor it belongs to, ordered by slug.
    public func slugHistory() throws -> [(slug: String, sourcePath: String)] {
        try wrap {
            try statement("SELECT s.slug, p.source_path FROM mentor_slugs s JOIN mood_mentor_profiles p ON p.id = s.mentor_id ORDER BY s.slug").map([]) {
                ($0.text(0), $0.text(1))
            }
        }
    }

    public func activeMentorCount() throws -> Int {
        try wrap { try connection.scalarInt("SELECT count(*) FROM mood_mentor_profiles WHERE is_active = 1") ?? 0 }
    }
}
