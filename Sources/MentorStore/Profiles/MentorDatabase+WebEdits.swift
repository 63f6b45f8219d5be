import FoundationEssentials
import MentorCore

/// A mentor's own changes on the dashboard: the profile, hours, blocked dates, the pause
/// switch. Each is one transaction that writes the change, an audit row (who, when, which
/// fields) when the profile changed, and a `site_changes` row, so that `mentorsite
/// publish` (or any build) brings the static pages up to date.
extension MentorDatabase {
    /// Saves a profile edited on the web. The rows of education, experience and hours are
    /// replaced in their new order; `bio` and `about` stay equal; dates blocked on the
    /// dashboard stay. A new name keeps the current slug until the site generator makes the
    /// new one (`refreshSlugs`), and the old URL keeps redirecting after that. The mentor
    /// is marked web-edited: `import` then leaves them alone unless their file changed too.
    /// - Returns: the fields that changed (empty: nothing was written).
    @discardableResult
    public func saveWebProfile(mentorID: String, profile: MentorProfile, actor: String, now: Int) throws -> [String] {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> [String] in
                guard let current = try loadMentors(includingInactive: true, id: mentorID).first else { return [] }
                let fields = current.profile.changedFields(to: profile)
                guard !fields.isEmpty else { return [] }
                try updateProfile(id: mentorID, slug: current.slug, profile: profile, now: stamp)
                try statement("UPDATE mood_mentor_profiles SET web_edited_at = ? WHERE id = ?").run([stamp, mentorID])
                try audit(mentorID: mentorID, actor: actor, fields: fields, stamp: stamp)
                try recordSiteChange(mentorID: mentorID, reason: fields.contains("name") ? "renamed" : "profile", stamp: stamp)
                return fields
            }
        }
    }

    /// Pauses or resumes bookings. False when it already was so.
    public func setPaused(mentorID: String, _ paused: Bool, actor: String, now: Int) throws -> Bool {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction {
                try statement("UPDATE mood_mentor_profiles SET is_paused = ? WHERE id = ? AND is_paused <> ?").run([paused, mentorID, paused])
                guard connection.changes == 1 else { return false }
                try audit(mentorID: mentorID, actor: actor, fields: [paused ? "paused" : "resumed"], stamp: stamp)
                try recordSiteChange(mentorID: mentorID, reason: paused ? "paused" : "resumed", stamp: stamp)
                return true
            }
        }
    }

    /// Blocks dates from the dashboard (kept across imports); returns those newly blocked.
    @discardableResult
    public func blockDates(mentorID: String, _ dates: [CalendarDate], reason: String?, actor: String, now: Int) throws -> [CalendarDate] {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> [CalendarDate] in
                var added: [CalendarDate] = []
                for date in dates {
                    try statement("INSERT OR IGNORE INTO mentor_blocked_dates (mentor_id, date, reason, source) VALUES (?, ?, ?, 'dashboard')")
                        .run([mentorID, date.description, reason])
                    if connection.changes == 1 { added.append(date) }
                }
                if !added.isEmpty { try audit(mentorID: mentorID, actor: actor, fields: ["blocked_dates"], stamp: stamp) }
                return added
            }
        }
    }

    /// Unblocks a date. A date from the content file is part of the profile, so removing it
    /// marks the mentor web-edited. False when the date was not blocked.
    public func unblockDate(mentorID: String, _ date: CalendarDate, actor: String, now: Int) throws -> Bool {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction {
                guard let source = try statement("SELECT source FROM mentor_blocked_dates WHERE mentor_id = ? AND date = ?")
                    .map([mentorID, date.description], { $0.text(0) }).first else { return false }
                try statement("DELETE FROM mentor_blocked_dates WHERE mentor_id = ? AND date = ?").run([mentorID, date.description])
                if source == "content", let mentor = try loadMentors(includingInactive: true, id: mentorID).first {
                    try statement("UPDATE mood_mentor_profiles SET web_edited_at = ?, content_hash = ? WHERE id = ?")
                        .run([stamp, mentor.profile.contentDigest, mentorID])
                }
                try audit(mentorID: mentorID, actor: actor, fields: ["blocked_dates"], stamp: stamp)
                return true
            }
        }
    }

    /// Every web change to a mentor's profile, newest first: (when, who, which fields).
    public func profileAudit(mentorID: String) throws -> [(at: String, actor: String, fields: [String])] {
        try wrap {
            try statement("SELECT at, actor, fields FROM profile_audit WHERE mentor_id = ? ORDER BY id DESC").map([mentorID]) {
                ($0.text(0), $0.text(1), decodeList($0.text(2)))
            }
        }
    }

    func audit(mentorID: String, actor: String, fields: [String], stamp: String) throws {
        try statement("INSERT INTO profile_audit (mentor_id, at, actor, fields) VALUES (?, ?, ?, ?)").run([mentorID, stamp, actor, encodeList(fields)])
        try queueProfileWebhook(mentorID: mentorID, fields: encodeList(fields), stamp: stamp)
    }

    func recordSiteChange(mentorID: String, reason: String, stamp: String) throws {
        try statement("INSERT INTO site_changes (mentor_id, at, reason) VALUES (?, ?, ?)").run([mentorID, stamp, reason])
    }
}

/// What the web changed that the static site does not show yet.
extension MentorDatabase {
    /// Mentors with unpublished changes, oldest change first.
    public func pendingSiteChanges() throws -> [(id: Int, mentorID: String, reason: String)] {
        try wrap {
            try statement("SELECT id, mentor_id, reason FROM site_changes WHERE published_at IS NULL ORDER BY id").map([]) { ($0.int(0), $0.text(1), $0.text(2)) }
        }
    }

    /// Marks changes up to `lastID` as published (changes made meanwhile stay pending).
    public func markPublished(upTo lastID: Int, at stamp: String) throws {
        try wrap {
            try statement("UPDATE site_changes SET published_at = ? WHERE id <= ? AND published_at IS NULL").run([stamp, lastID])
        }
    }

    /// Gives mentors renamed on the web the slug their new name makes (the site generator
    /// knows how: `slugFromName`), by the rules of `sync`: kept while the name still yields
    /// it, otherwise made unique, and every earlier slug kept to redirect.
    /// - Returns: old slug → new slug.
    public func refreshSlugs(now: String, slugFromName: (String) -> String) throws -> [String: String] {
        try wrap {
            try connection.writeTransaction { () throws -> [String: String] in
                var owner: [String: String] = [:]
                try statement("SELECT slug, mentor_id FROM mentor_slugs").forEach { owner[$0.text(0)] = $0.text(1) }
                let candidates = try statement("""
                    SELECT DISTINCT p.id, p.slug, p.name FROM site_changes c JOIN mood_mentor_profiles p ON p.id = c.mentor_id
                    WHERE c.published_at IS NULL AND c.reason = 'renamed' AND p.explicit_slug IS NULL
                    """).map([]) { ($0.text(0), $0.text(1), $0.text(2)) }
                var renamed: [String: String] = [:]
                for (id, current, name) in candidates {
                    let base = slugFromName(name)
                    guard !Slug.slug(current, isNumberedFormOf: base) else { continue }
                    let slug = Slug.unique(base, from: 2) { candidate in owner[candidate].map { $0 != id } ?? false }
                    try statement("UPDATE mood_mentor_profiles SET slug = ?, updated_at = ? WHERE id = ?").run([slug, now, id])
                    if owner[slug] == nil {
                        try statement("INSERT INTO mentor_slugs (slug, mentor_id, created_at) VALUES (?, ?, ?)").run([slug, id, now])
                        owner[slug] = id
                    }
                    renamed[current] = slug
                }
                return renamed
            }
        }
    }
}

/// A mentor's secret tokens, each made on the dashboard, shown once, stored only as its
/// SHA-256 digest and revocable: one live token of each kind per mentor.
public enum MentorTokenKind: String, Sendable {
    /// The private calendar feed's address, which calendar apps poll without a cookie.
    case calendarFeed = "calendar_feeds"
    /// The read-only API's bearer token.
    case api = "api_tokens"
}

extension MentorDatabase {
    /// A new token of `kind`; the mentor's earlier one stops working.
    public func replaceToken(_ kind: MentorTokenKind, mentorID: String, digest: String, now: Int) throws {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        try wrap {
            try connection.writeTransaction {
                try statement("UPDATE \(kind.rawValue) SET revoked_at = ? WHERE mentor_id = ? AND revoked_at IS NULL").run([stamp, mentorID])
                try statement("INSERT INTO \(kind.rawValue) (token_hash, mentor_id, created_at) VALUES (?, ?, ?)").run([digest, mentorID, stamp])
            }
        }
    }

    public func revokeTokens(_ kind: MentorTokenKind, mentorID: String, now: Int) throws {
        try wrap {
            try statement("UPDATE \(kind.rawValue) SET revoked_at = ? WHERE mentor_id = ? AND revoked_at IS NULL")
                .run([Timestamp.format(secondsSinceEpoch: now), mentorID])
        }
    }

    /// When the mentor's live token of `kind` was made, if there is one.
    public func tokenCreated(_ kind: MentorTokenKind, mentorID: String) throws -> String? {
        try wrap {
            try statement("SELECT created_at FROM \(kind.rawValue) WHERE mentor_id = ? AND revoked_at IS NULL").map([mentorID]) { $0.text(0) }.first
        }
    }

    /// The live token with this digest: the digest as stored (for a constant-time
    /// comparison) and its mentor.
    public func token(_ kind: MentorTokenKind, digest: String) throws -> (digest: String, mentorID: String)? {
        try wrap {
            try statement("SELECT token_hash, mentor_id FROM \(kind.rawValue) WHERE token_hash = ? AND revoked_at IS NULL").map([digest]) {
                (digest: $0.text(0), mentorID: $0.text(1))
            }.first
        }
    }
}

extension MentorDatabase {
    /// The mentor's content file now holds their profile: web edits are no longer pending.
    public func recordExport(mentorID: String, sourceDigest: String) throws {
        try wrap {
            try statement("UPDATE mood_mentor_profiles SET web_edited_at = NULL, source_digest = ? WHERE id = ?").run([sourceDigest, mentorID])
        }
    }
}
