import FoundationEssentials
import MentorCore

/// What import last read of one content file: `stamp` (its size, times and inode, or ""
/// when it was too recent to trust) and `digest` (of its bytes and of how they were read).
/// A file whose stamp or digest is unchanged is not parsed again.
public struct ContentFileStamp: Equatable, Sendable {
    public var sourcePath: String
    public var stamp: String
    public var digest: String

    public init(sourcePath: String, stamp: String, digest: String) {
        self.sourcePath = sourcePath
        self.stamp = stamp
        self.digest = digest
    }
}

extension MentorDatabase {
    // MARK: Reading

    /// All mentors, active ones only unless asked, ordered by slug.
    public func mentors(includingInactive: Bool = false) throws -> [Mentor] {
        try wrap {
            try connection.readTransaction {
                try loadMentors(includingInactive: includingInactive)
            }
        }
    }

    /// One mentor with everything the profile holds (education, experience, earlier slugs):
    /// what the dashboard edits.
    public func mentor(id: String) throws -> Mentor? {
        try wrap { try loadMentors(includingInactive: true, id: id).first }
    }

    /// Mentors with these ids (active or not), for the booking flow: without education,
    /// experience and earlier slugs, which no booking page, email or calendar file shows
    /// (three statements fewer on every CGI request).
    /// - Parameter details: with education, experience and earlier slugs (a page to render).
    public func mentors(ids: [String], details: Bool = false) throws -> [Mentor] {
        try wrap {
            var result: [Mentor] = []
            for id in ids { result += try loadMentors(includingInactive: true, id: id, profileDetails: details) }
            return result
        }
    }

    func loadMentors(includingInactive: Bool, id only: String? = nil, profileDetails: Bool = true) throws -> [Mentor] {
        try loadMentors(includingInactive: includingInactive, ids: only.map { [$0] }, profileDetails: profileDetails)
    }

    /// Whole mentors with these ids, in batches of up to 500 (a build's batch).
    public func mentors(batchOf ids: [String]) throws -> [Mentor] {
        try wrap {
            try connection.readTransaction {
                var result: [Mentor] = []
                for start in stride(from: 0, to: ids.count, by: 500) {
                    result += try loadMentors(includingInactive: true, ids: Array(ids[start..<min(ids.count, start + 500)]), profileDetails: true)
                }
                return result
            }
        }
    }

    func loadMentors(includingInactive: Bool, ids only: [String]?, profileDetails: Bool = true) throws -> [Mentor] {
        // One mentor (booking), some (a build's batch) or all: the same queries, filtered or not.
        let list = only.map { ids in ids.count == 1 ? "= ?1" : "IN (" + WebText.join((1...max(1, ids.count)).map { "?\($0)" }, separator: ", ") + ")" }
        let filterChildren = list.map { "WHERE mentor_id " + $0 } ?? ""
        let parameters: [any SQLBindable] = only ?? []
        var education: [String: [Education]] = [:]
        var experience: [String: [Experience]] = [:]
        var previous: [String: [String]] = [:]
        if profileDetails {
            try connection.prepare("SELECT mentor_id, degree, institution, year FROM mood_mentor_education \(filterChildren) ORDER BY mentor_id, position").forEach(parameters) { row in
                education[row.text(0), default: []].append(Education(degree: row.text(1), institution: row.text(2), year: row.optionalInt(3)))
            }
            try connection.prepare("SELECT mentor_id, title, place, duration FROM mood_mentor_experience \(filterChildren) ORDER BY mentor_id, position").forEach(parameters) { row in
                experience[row.text(0), default: []].append(Experience(title: row.text(1), place: row.text(2), duration: row.optionalText(3)))
            }
            try connection.prepare("""
                SELECT s.mentor_id, s.slug FROM mentor_slugs s JOIN mood_mentor_profiles p ON p.id = s.mentor_id
                WHERE s.slug <> p.slug \(list.map { "AND s.mentor_id " + $0 } ?? "") ORDER BY s.mentor_id, s.slug
                """).forEach(parameters) { row in
                previous[row.text(0), default: []].append(row.text(1))
            }
        }
        var availability: [String: [AvailabilityWindow]] = [:]
        try connection.prepare("SELECT mentor_id, day_of_week, start_time, end_time FROM mentor_availability \(filterChildren) ORDER BY mentor_id, id").forEach(parameters) { row in
            guard let day = Weekday(rawValue: row.int(1)), let start = LocalTime(row.text(2)), let end = LocalTime(row.text(3)) else { return }
            availability[row.text(0), default: []].append(AvailabilityWindow(day: day, start: start, end: end))
        }
        var blocked: [String: [BlockedDate]] = [:]
        var dashboardBlocked: [String: [BlockedDate]] = [:]
        try connection.prepare("SELECT mentor_id, date, reason, source FROM mentor_blocked_dates \(filterChildren) ORDER BY mentor_id, date").forEach(parameters) { row in
            guard let date = CalendarDate(row.text(1)) else { return }
            if row.text(3) == "dashboard" {
                dashboardBlocked[row.text(0), default: []].append(BlockedDate(date: date, reason: row.optionalText(2)))
            } else {
                blocked[row.text(0), default: []].append(BlockedDate(date: date, reason: row.optionalText(2)))
            }
        }
        var conditions: [String] = []
        if !includingInactive { conditions.append("is_active = 1") }
        if let list { conditions.append("id " + list) }
        let filter = conditions.isEmpty ? "" : "WHERE " + WebText.join(conditions, separator: " AND ")
        return try connection.prepare("""
            SELECT id, source_path, slug, name, explicit_slug, title, specialty, location, gender, avatar_url,
                   bio, specialties, languages, therapy_types, experience_years, review_count, rating,
                   hourly_rate, currency, session_minutes, timezone, created_at, updated_at, email,
                   is_paused, web_edited_at, is_active, meeting_url, verified_at
            FROM mood_mentor_profiles \(filter) ORDER BY slug
            """).map(parameters) { row in
            let id = row.text(0)
            let rate: Money? = row.optionalText(17).flatMap { Money(decimal: $0, currency: row.text(18)) }
            let profile = MentorProfile(
                name: row.text(3), explicitSlug: row.optionalText(4), title: row.optionalText(5),
                specialty: row.optionalText(6), location: row.optionalText(7), gender: row.optionalText(8),
                avatarURL: row.optionalText(9), email: row.optionalText(23), bio: row.text(10),
                specialties: decodeList(row.text(11)), languages: decodeList(row.text(12)),
                therapyTypes: decodeList(row.text(13)), experienceYears: row.optionalInt(14),
                reviewCount: row.optionalInt(15), rating: row.optionalDouble(16), hourlyRate: rate,
                sessionMinutes: row.int(19), timezone: row.optionalText(20),
                education: education[id] ?? [], experience: experience[id] ?? [],
                availability: availability[id] ?? [], blockedDates: blocked[id] ?? [], meetingURL: row.optionalText(27))
            var mentor = Mentor(id: id, sourcePath: row.text(1), slug: row.text(2), previousSlugs: previous[id] ?? [],
                                profile: profile, createdAt: row.text(21), updatedAt: row.text(22))
            mentor.dashboardBlockedDates = dashboardBlocked[id] ?? []
            mentor.isPaused = row.int(24) == 1
            mentor.webEditedAt = row.optionalText(25)
            mentor.isActive = row.int(26) == 1
            mentor.verifiedAt = row.optionalText(28)
            return mentor
        }
    }

    // MARK: Profile sync

    /// What `sync` changed.
    public struct SyncReport: Equatable, Sendable {
        public var inserted: [String] = []
        public var updated: [String] = []
        public var unchanged = 0
        public var deactivated: [String] = []
        /// Old slug → new slug, for mentors whose URL changed.
        public var renamed: [String: String] = [:]
        /// Mentors whose file and web edits both changed: nothing was written for them.
        public var conflicts: [Conflict] = []

        public struct Conflict: Equatable, Sendable {
            public var sourcePath: String
            /// The content keys on which the file and the web edits differ.
            public var fields: [String]
        }
        public var isEmpty: Bool { inserted.isEmpty && updated.isEmpty && deactivated.isEmpty }
    }

    /// Makes the database match the content, in one transaction, following the profile
    /// sync rules: `bio` = `about`; slugs made from names, unique (`-2`, `-3` …) and stable
    /// (a slug stays while the name still yields it; an old slug keeps redirecting);
    /// child rows kept in order; mentors whose file is gone become inactive (their
    /// appointments and URLs stay). Nothing is written for a mentor that did not change.
    /// - Parameter entries: the parsed content files: all of them, or (with `present`)
    ///   those that changed since the last import.
    /// - Parameter present: every content file there is, when `entries` holds only the
    ///   changed ones: the others stay as they are, and mentors whose file is in neither
    ///   become inactive. Nil: `entries` is the whole content folder.
    /// - Parameter files: what was read of each content file (`contentFiles()` returns it to
    ///   the next import). A file in conflict is not recorded, so it is read again.
    /// - Parameter slugFromName: the slug a name yields (`Slug.make` in SiteGenerator, which
    ///   also offers `sync` without this parameter).
    /// - Parameter preferringFiles: source paths whose file wins over the mentor's web edits.
    public func sync(_ entries: [(sourcePath: String, profile: MentorProfile)], present: Set<String>? = nil, files: [ContentFileStamp] = [],
                     now: String = Timestamp.now(), slugFromName: (String) -> String, preferringFiles: Set<String> = []) throws -> SyncReport {
        try wrap {
            try connection.writeTransaction {
                let report = try applySync(entries.sorted { $0.sourcePath < $1.sourcePath }, present: present, now: now,
                                           slugFromName: slugFromName, preferringFiles: preferringFiles)
                try recordContentFiles(files, present: present, except: Set(report.conflicts.map(\.sourcePath)))
                return report
            }
        }
    }

    /// What import last read of each content file, by source path.
    public func contentFiles() throws -> [String: ContentFileStamp] {
        try wrap {
            var result: [String: ContentFileStamp] = [:]
            try statement("SELECT source_path, stamp, digest FROM content_files").forEach { row in
                result[row.text(0)] = ContentFileStamp(sourcePath: row.text(0), stamp: row.text(1), digest: row.text(2))
            }
            return result
        }
    }

    func recordContentFiles(_ files: [ContentFileStamp], present: Set<String>?, except conflicted: Set<String>) throws {
        if let present {
            let known = try statement("SELECT source_path FROM content_files").map([]) { $0.text(0) }
            let gone = try statement("DELETE FROM content_files WHERE source_path = ?")
            for path in known where !present.contains(path) || conflicted.contains(path) { try gone.run([path]) }
        } else {
            try connection.execute("DELETE FROM content_files")
        }
        let record = try statement("""
            INSERT INTO content_files (source_path, stamp, digest) VALUES (?, ?, ?)
            ON CONFLICT (source_path) DO UPDATE SET stamp = excluded.stamp, digest = excluded.digest
            WHERE stamp IS NOT excluded.stamp OR digest IS NOT excluded.digest
            """)
        for file in files where !conflicted.contains(file.sourcePath) {
            try record.run([file.sourcePath, file.stamp, file.digest])
        }
    }

    func applySync(_ entries: [(sourcePath: String, profile: MentorProfile)], present: Set<String>?, now: String,
                   slugFromName: (String) -> String, preferringFiles: Set<String>) throws -> SyncReport {
        var report = SyncReport()
        // Every row by its columns alone; whole profiles only of the mentors in `entries`
        // (an import of one changed file among 10,000 loads one).
        let rows = try statement("SELECT id, source_path, slug, is_active FROM mood_mentor_profiles").map([]) {
            (id: $0.text(0), sourcePath: $0.text(1), slug: $0.text(2), isActive: $0.int(3) == 1)
        }
        let sourceByID = Dictionary(rows.map { ($0.id, $0.sourcePath) }, uniquingKeysWith: { first, _ in first })
        let activeIDs = Set(rows.filter(\.isActive).map(\.id))
        let existing: [Mentor]
        if entries.count * 4 >= rows.count {
            existing = try loadMentors(includingInactive: true)
        } else {
            let idBySource = Dictionary(rows.map { ($0.sourcePath, $0.id) }, uniquingKeysWith: { first, _ in first })
            existing = try entries.compactMap { idBySource[$0.sourcePath] }.flatMap { try loadMentors(includingInactive: true, id: $0) }
        }
        let bySource = Dictionary(existing.map { ($0.sourcePath, $0) }, uniquingKeysWith: { first, _ in first })
        var owner: [String: String] = [:]
        try connection.prepare("SELECT slug, mentor_id FROM mentor_slugs").forEach { owner[$0.text(0)] = $0.text(1) }

        // Mentors edited on the web since their file was last read or written: the file wins
        // only if it changed meanwhile and the web did not; if both changed, nothing is
        // written for that mentor and the conflict names the fields.
        var sourceDigest: [String: String] = [:]
        try statement("SELECT id, source_digest FROM mood_mentor_profiles WHERE web_edited_at IS NOT NULL").forEach { row in
            sourceDigest[row.text(0)] = row.optionalText(1) ?? ""
        }
        var keep: Set<String> = []       // source paths whose row stays as the web left it
        var reconciled: Set<String> = [] // the file now says what the web said
        for entry in entries {
            guard let old = bySource[entry.sourcePath], let recorded = sourceDigest[old.id] else { continue }
            if old.profile == entry.profile || preferringFiles.contains(entry.sourcePath) {
                reconciled.insert(entry.sourcePath)
            } else if recorded == entry.profile.contentDigest {
                keep.insert(entry.sourcePath)
            } else {
                keep.insert(entry.sourcePath)
                report.conflicts.append(SyncReport.Conflict(sourcePath: entry.sourcePath, fields: old.profile.changedFields(to: entry.profile)))
            }
        }

        // Explicit slugs claim first, so a made-up slug never takes one a file asks for.
        var plans: [(entry: (sourcePath: String, profile: MentorProfile), id: String, slug: String)] = []
        var claimed: [String: String] = [:]  // slug → source path, within this import
        var nextNumber: [String: Int] = [:]  // base slug → the first suffix worth trying
        let ordered = entries.filter { $0.profile.explicitSlug != nil } + entries.filter { $0.profile.explicitSlug == nil }
        for entry in ordered {
            let id = bySource[entry.sourcePath]?.id ?? UUID().uuidString.lowercased()
            func isTaken(_ slug: String) -> Bool {
                if let other = claimed[slug], other != entry.sourcePath { return true }
                if let holder = owner[slug], holder != id { return true }
                return false
            }
            let slug: String
            if keep.contains(entry.sourcePath), let current = bySource[entry.sourcePath]?.slug {
                slug = current
            } else if let explicit = entry.profile.explicitSlug {
                if isTaken(explicit) {
                    let holder = claimed[explicit] ?? owner[explicit].flatMap { sourceByID[$0] } ?? "another mentor"
                    throw StoreError.slugTaken(slug: explicit, sourcePath: entry.sourcePath, owner: holder)
                }
                slug = explicit
            } else {
                let base = slugFromName(entry.profile.name)
                if let current = bySource[entry.sourcePath]?.slug, Slug.slug(current, isNumberedFormOf: base), !isTaken(current) {
                    slug = current
                } else {
                    // Many mentors can share a name; resuming the count keeps this linear.
                    slug = Slug.unique(base, from: nextNumber[base] ?? 2, isTaken: isTaken)
                    if slug != base, let number = Int(slug.dropFirst(base.count + 1)) { nextNumber[base] = number + 1 }
                }
            }
            claimed[slug] = entry.sourcePath
            plans.append((entry, id, slug))
        }

        let seen = Set(plans.map(\.id))
        // Free current slugs of mentors that change slug first, so UNIQUE(slug) holds at every step.
        for plan in plans.sorted(by: { $0.entry.sourcePath < $1.entry.sourcePath }) {
            let old = bySource[plan.entry.sourcePath]
            let profile = plan.entry.profile
            if keep.contains(plan.entry.sourcePath) {
                report.unchanged += 1
                continue
            }
            let digest = profile.contentDigest
            try statement("UPDATE mood_mentor_profiles SET source_digest = ? WHERE id = ? AND source_digest IS NOT ?")
                .run([digest, plan.id, digest])
            if reconciled.contains(plan.entry.sourcePath) {
                try statement("UPDATE mood_mentor_profiles SET web_edited_at = NULL WHERE id = ?").run([plan.id])
            }
            if let old {
                let changed = old.profile != profile || old.slug != plan.slug || !activeIDs.contains(old.id)
                guard changed else { report.unchanged += 1; continue }
                try updateProfile(id: old.id, slug: plan.slug, profile: profile, now: now)
                report.updated.append(plan.entry.sourcePath)
                if old.slug != plan.slug { report.renamed[old.slug] = plan.slug }
            } else {
                try insertProfile(id: plan.id, sourcePath: plan.entry.sourcePath, slug: plan.slug, profile: profile, now: now)
                try statement("UPDATE mood_mentor_profiles SET source_digest = ? WHERE id = ?").run([digest, plan.id])
                report.inserted.append(plan.entry.sourcePath)
            }
            if owner[plan.slug] == nil {
                try statement("INSERT INTO mentor_slugs (slug, mentor_id, created_at) VALUES (?, ?, ?)").run([plan.slug, plan.id, now])
                owner[plan.slug] = plan.id
            }
        }
        // New and changed rows got their digest with their columns; rows last written
        // before migration v4 get it once here.
        let undigested = Set(try statement("SELECT id FROM mood_mentor_profiles WHERE content_hash IS NULL").map([]) { $0.text(0) })
        let digest = try statement("UPDATE mood_mentor_profiles SET content_hash = ? WHERE id = ?")
        for plan in plans where undigested.contains(plan.id) {
            try digest.run([plan.entry.profile.contentDigest, plan.id])
        }
        for row in rows where row.isActive && !seen.contains(row.id) && present?.contains(row.sourcePath) != true {
            try connection.run("UPDATE mood_mentor_profiles SET is_active = 0, updated_at = ? WHERE id = ?", now, row.id)
            report.deactivated.append(row.sourcePath)
        }
        report.deactivated.sort()
        return report
    }

    static let profileColumns = """
        name, explicit_slug, title, specialty, location, gender, avatar_url, bio, about, specialties, languages,
        therapy_types, experience_years, review_count, rating, hourly_rate, currency, session_minutes, timezone, email, content_hash,
        meeting_url
        """

    func profileValues(_ p: MentorProfile) -> [any SQLBindable] {
        [p.name, p.explicitSlug, p.title, p.specialty, p.location, p.gender, p.avatarURL, p.bio, p.bio,
         encodeList(p.specialties), encodeList(p.languages), encodeList(p.therapyTypes), p.experienceYears,
         p.reviewCount, p.rating, p.hourlyRate?.decimalText, p.hourlyRate?.currency, p.sessionMinutes, p.timezone, p.email, p.contentDigest,
         p.meetingURL]
    }

    func insertProfile(id: String, sourcePath: String, slug: String, profile: MentorProfile, now: String) throws {
        let values = profileValues(profile)
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        try statement("""
            INSERT INTO mood_mentor_profiles (id, source_path, slug, \(Self.profileColumns), is_active, created_at, updated_at)
            VALUES (?, ?, ?, \(placeholders), 1, ?, ?)
            """).run([id, sourcePath, slug] + values + [now, now])
        try insertChildren(id: id, profile: profile)
    }

    func updateProfile(id: String, slug: String, profile: MentorProfile, now: String) throws {
        let assignments = Self.profileColumns.split(separator: ",").map { "\(WebText.trimmed($0)) = ?" }.joined(separator: ", ")
        try statement("UPDATE mood_mentor_profiles SET slug = ?, \(assignments), is_active = 1, updated_at = ? WHERE id = ?")
            .run([slug] + profileValues(profile) + [now, id])
        for table in ["mood_mentor_education", "mood_mentor_experience", "mentor_availability"] {
            try statement("DELETE FROM \(table) WHERE mentor_id = ?").run([id])
        }
        // Dates the mentor blocked on the dashboard stay.
        try statement("DELETE FROM mentor_blocked_dates WHERE mentor_id = ? AND source = 'content'").run([id])
        try insertChildren(id: id, profile: profile)
    }

    func insertChildren(id: String, profile: MentorProfile) throws {
        let education = try statement("INSERT INTO mood_mentor_education (mentor_id, position, degree, institution, year) VALUES (?, ?, ?, ?, ?)")
        for (position, item) in profile.education.enumerated() {
            try education.run([id, position, item.degree, item.institution, item.year])
        }
        let experience = try statement("INSERT INTO mood_mentor_experience (mentor_id, position, title, place, duration) VALUES (?, ?, ?, ?, ?)")
        for (position, item) in profile.experience.enumerated() {
            try experience.run([id, position, item.title, item.place, item.duration])
        }
        let availability = try statement("INSERT INTO mentor_availability (mentor_id, day_of_week, start_time, end_time) VALUES (?, ?, ?, ?)")
        for window in profile.availability {
            try availability.run([id, window.day.rawValue, window.start.description, window.end.description])
        }
        let blocked = try statement("""
            INSERT INTO mentor_blocked_dates (mentor_id, date, reason, source) VALUES (?, ?, ?, 'content')
            ON CONFLICT (mentor_id, date) DO UPDATE SET reason = excluded.reason, source = 'content'
            """)
        for item in profile.blockedDates {
            try blocked.run([id, item.date.description, item.reason])
        }
    }
}
