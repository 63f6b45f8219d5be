import Foundation
import Testing
@testable import MentorCore
import SiteGenerator

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

@Suite struct MigrationTests {
    @Test func createsTheSeedTablesAndRecordsTheVersion() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        #expect(db.schemaVersion == MentorDatabase.migrations.count)
        let tables = try db.connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
        for table in ["mood_mentor_profiles", "mood_mentor_education", "mood_mentor_experience", "mentor_availability", "mentor_blocked_dates", "mentor_slugs", "schema_migrations"] {
            #expect(tables.contains(table))
        }
        #expect(try db.connection.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try db.connection.scalarInt("PRAGMA foreign_keys") == 1)
    }

    @Test func theLastConnectionLeavesAnEmptyWriteAheadLog() throws {
        // The -wal and -shm files are kept (no create/delete per CGI process) but must not
        // keep frames: the next process would re-read and checksum all of them.
        let temp = TemporaryDatabase()
        do {
            let db = try temp.open()
            _ = try db.sync([(sourcePath: "ada.md", profile: profile("Ada Lovelace")), (sourcePath: "grace.md", profile: profile("Grace Hopper"))])
            #expect(try FileManager.default.attributesOfItem(atPath: temp.path + "-wal")[.size] as? Int ?? 0 > 0)
        }
        #expect(FileManager.default.fileExists(atPath: temp.path + "-shm"))
        #expect(try FileManager.default.attributesOfItem(atPath: temp.path + "-wal")[.size] as? Int == 0)
        let reopened = try temp.open()
        #expect(try reopened.mentors().count == 2)
    }

    @Test func upgradesAnOlderDatabase() throws {
        let temp = TemporaryDatabase()
        do {
            let raw = try SQLiteConnection(path: temp.path)
            try raw.execute("CREATE TABLE unrelated (x INTEGER)")
        }
        let db = try temp.open()
        #expect(db.schemaVersion == MentorDatabase.migrations.count)
        let names = try db.connection.query("SELECT name FROM schema_migrations ORDER BY rowid") { $0.text(0) }
        #expect(names == MentorDatabase.migrations.map(\.name))
    }

    @Test func upgradesAShippedV2DatabaseKeepingItsMentors() throws {
        let temp = TemporaryDatabase()
        do {
            // Exactly what a v2 release left behind: its two migrations and one mentor.
            let raw = try SQLiteConnection(path: temp.path)
            try raw.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL) STRICT")
            for migration in MentorDatabase.migrations.prefix(2) {
                try raw.execute(migration.sql)
                try raw.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", migration.name, "2026-11-01T00:00:00Z")
            }
            try raw.execute("PRAGMA user_version = 2")
            try raw.execute("""
                INSERT INTO mood_mentor_profiles (id, source_path, slug, name, bio, about, specialties, languages, therapy_types,
                    session_minutes, is_active, created_at, updated_at)
                VALUES ('m1', 'ana.md', 'ana', 'Ana', 'Bio.', 'Bio.', '[]', '[]', '[]', 50, 1, 'x', 'x')
                """)
        }
        let db = try temp.open()
        #expect(db.schemaVersion == MentorDatabase.migrations.count)
        let before = try #require(try db.activeMentor(slug: "ana"))
        #expect(before.profile.email == nil)
        _ = try db.sync([(sourcePath: "ana.md", profile: profile("Ana", slug: "ana"))])
        #expect(try db.activeMentor(slug: "ana")?.profile.email == "mentor@example.org")
        #expect(try db.activeMentor(email: "mentor@example.org")?.id == "m1")
    }

    @Test func anUnchangedRowFromBeforeV4GetsItsDigestOnTheNextImport() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        let ana = profile("Ana", slug: "ana")
        _ = try db.sync([(sourcePath: "ana.md", profile: ana)])
        #expect(try db.connection.scalarText("SELECT content_hash FROM mood_mentor_profiles") == ana.contentDigest)
        try db.connection.execute("UPDATE mood_mentor_profiles SET content_hash = NULL")
        let report = try db.sync([(sourcePath: "ana.md", profile: ana)])
        #expect(report.unchanged == 1 && report.updated.isEmpty)
        #expect(try db.connection.scalarText("SELECT content_hash FROM mood_mentor_profiles") == ana.contentDigest)
    }

    @Test func reopeningChangesNothing() throws {
        let temp = TemporaryDatabase()
        _ = try temp.open()
        let db = try temp.open()
        #expect(db.connection.totalChanges == 0)
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        let temp = TemporaryDatabase()
        do {
            let raw = try SQLiteConnection(path: temp.path)
            try raw.execute("PRAGMA user_version = 99")
        }
        #expect(throws: StoreError.newerSchema(path: temp.path, found: 99, known: MentorDatabase.migrations.count)) {
            try temp.open()
        }
    }

    @Test func neverCreatesAMissingDatabaseUnlessAsked() {
        let temp = TemporaryDatabase()
        #expect(throws: StoreError.missingDatabase(path: temp.path)) {
            try MentorDatabase(path: temp.path, create: false)
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path))
    }

    @Test func letsSQLiteEnforceTheSyncRule() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        #expect(throws: StoreError.self) {
            try db.wrap {
                try db.connection.run("""
                    INSERT INTO mood_mentor_profiles (id, source_path, slug, name, bio, about, created_at, updated_at)
                    VALUES ('x', 'a.md', 'a', 'A', 'one', 'two', 'now', 'now')
                    """)
            }
        }
    }
}

@Suite struct ProfileSyncTests {
    @Test func importsProfilesWithTheirChildRowsInOrder() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        let report = try db.sync([("mentors/ana.md", profile("Ana Álvarez"))], now: "2026-01-01T00:00:00Z")
        #expect(report.inserted == ["mentors/ana.md"])
        let mentors = try db.mentors()
        #expect(mentors.count == 1)
        #expect(mentors[0].slug == "ana-alvarez")
        #expect(mentors[0].profile == profile("Ana Álvarez"))
        #expect(try db.connection.scalarInt("SELECT count(*) FROM mood_mentor_profiles WHERE bio = about AND about = 'Bio.'") == 1)
        #expect(try db.connection.scalarText("SELECT hourly_rate FROM mood_mentor_profiles") == "95.50")
        #expect(try db.connection.scalarText("SELECT specialties FROM mood_mentor_profiles") == #"["Anxiety","Sleep"]"#)
        #expect(try db.connection.scalarInt("SELECT day_of_week FROM mentor_availability") == 1)
    }

    @Test func reimportingUnchangedContentWritesNothing() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        let entries = [("mentors/ana.md", profile("Ana")), ("mentors/bo.md", profile("Bo"))]
        _ = try db.sync(entries, now: "2026-01-01T00:00:00Z")
        let before = db.connection.totalChanges
        let report = try db.sync(entries, now: "2026-02-02T00:00:00Z")
        #expect(report.isEmpty)
        #expect(report.unchanged == 2)
        #expect(db.connection.totalChanges == before)
        #expect(try db.mentors().map(\.updatedAt) == ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"])
    }

    @Test func sameNamesGetNumberedSlugsThatStayPut() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("María García")), ("mentors/b.md", profile("Maria Garcia"))])
        #expect(try db.mentors().map { "\($0.sourcePath) \($0.slug)" } == ["mentors/a.md maria-garcia", "mentors/b.md maria-garcia-2"])
        // A change to the first file must not move the second one's URL.
        _ = try db.sync([("mentors/a.md", profile("María García", bio: "New bio.")), ("mentors/b.md", profile("Maria Garcia"))])
        #expect(try db.mentors().map(\.slug) == ["maria-garcia", "maria-garcia-2"])
    }

    @Test func aRenameKeepsTheOldURLAsARedirect() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana Silva"))])
        let report = try db.sync([("mentors/a.md", profile("Ana Costa"))])
        #expect(report.renamed == ["ana-silva": "ana-costa"])
        let mentor = try db.mentors()[0]
        #expect(mentor.slug == "ana-costa")
        #expect(mentor.previousSlugs == ["ana-silva"])
        // A new mentor with the old name may not take the old URL from under the redirect.
        _ = try db.sync([("mentors/a.md", profile("Ana Costa")), ("mentors/b.md", profile("Ana Silva"))])
        #expect(try db.mentors().map(\.slug) == ["ana-costa", "ana-silva-2"])
        // Renaming back reclaims the mentor's own old slug.
        _ = try db.sync([("mentors/a.md", profile("Ana Silva")), ("mentors/b.md", profile("Ana Silva"))])
        let slugs = try db.mentors().map { "\($0.sourcePath) \($0.slug)" }
        #expect(slugs == ["mentors/a.md ana-silva", "mentors/b.md ana-silva-2"])
    }

    @Test func explicitSlugsWinAndConflictsAreErrors() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo", slug: "ana"))])
        #expect(try db.mentors().map { "\($0.sourcePath) \($0.slug)" }.sorted() == ["mentors/a.md ana-2", "mentors/b.md ana"])
        #expect(throws: StoreError.slugTaken(slug: "ana", sourcePath: "mentors/c.md", owner: "mentors/b.md")) {
            try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo", slug: "ana")), ("mentors/c.md", profile("Cy", slug: "ana"))])
        }
        // The failed import wrote nothing.
        #expect(try db.mentors().count == 2)
    }

    @Test func removedFilesDeactivateMentorsAndComingBackRestoresThem() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo"))])
        let report = try db.sync([("mentors/a.md", profile("Ana"))])
        #expect(report.deactivated == ["mentors/b.md"])
        #expect(try db.mentors().map(\.slug) == ["ana"])
        #expect(try db.mentors(includingInactive: true).count == 2)
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo"))])
        #expect(try db.mentors().map(\.slug) == ["ana", "bo"])
    }

    @Test func educationAndExperienceSurviveEveryRoundTrip() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        var p = profile("Ana")
        p.education.append(Education(degree: "PhD", institution: "Uni \"C\", Ward's", year: 2020))
        p.specialties = ["Quote \" and \\ backslash", "Ünïcødé", "Line\nbreak"]
        _ = try db.sync([("mentors/a.md", p)])
        #expect(try db.mentors()[0].profile == p)
        p.education.swapAt(0, 2)
        _ = try db.sync([("mentors/a.md", p)])
        #expect(try db.mentors()[0].profile.education == p.education)
    }
}

@Suite struct ListColumnTests {
    @Test(arguments: [[], ["a"], ["Quote \" and \\ backslash", "Ünïcødé", "Line\nbreak\ttab", "a,b", ""]])
    func roundTripsThroughJSONText(list: [String]) {
        #expect(decodeList(encodeList(list)) == list)
    }

    @Test func readsJSONWrittenByOtherTools() {
        #expect(decodeList(#"[ "a" , "\u00e9\u0001" ]"#) == ["a", "é\u{1}"])
        #expect(decodeList("not json") == [])
    }
}

@Suite struct ContentDigestTests {
    @Test func isStableAndChangesWithEveryKindOfField() {
        let base = profile("Ana")
        #expect(base.contentDigest == profile("Ana").contentDigest)
        var changes: [MentorProfile] = []
        var copy = base; copy.title = "Coach"; changes.append(copy)
        copy = base; copy.email = nil; changes.append(copy)
        copy = base; copy.bio += " "; changes.append(copy)
        copy = base; copy.languages.append("German"); changes.append(copy)
        copy = base; copy.education[1].year = 2012; changes.append(copy)
        copy = base; copy.availability[0].end = LocalTime("12:30")!; changes.append(copy)
        copy = base; copy.blockedDates[0].reason = nil; changes.append(copy)
        copy = base; copy.hourlyRate = Money(decimal: "95.51", currency: "EUR"); changes.append(copy)
        // A field's text moved into its neighbour is a change too.
        copy = base; copy.title = "A"; copy.specialty = nil; changes.append(copy)
        let digests = Set(changes.map(\.contentDigest) + [base.contentDigest])
        #expect(digests.count == changes.count + 1)
    }
}

@Suite struct EmptyDatabaseFileTests {
    /// SQLite takes a zero-byte file for an empty database; only `import` may create one.
    @Test func aZeroByteFileIsRefusedAndLeftEmpty() throws {
        let path = NSTemporaryDirectory() + "empty-\(UUID().uuidString).sqlite"
        FileManager.default.createFile(atPath: path, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: StoreError.notADatabase(path: path)) { try MentorDatabase(path: path, create: false) }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }
}
