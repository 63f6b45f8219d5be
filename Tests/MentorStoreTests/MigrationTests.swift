import Foundation
import Testing
@testable import MentorStore
import MentorCore

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

@Suite struct AppointmentRebuildMigrationTests {
    /// v6 rebuilds `appointments` (SQLite cannot change a CHECK in place): rows, the rows that
    /// point at them and the indexes all survive, and a cancellation before it was a patient's.
    @Test func aV5DatabaseKeepsItsAppointmentsAndTheirReferences() throws {
        let temp = TemporaryDatabase()
        do {
            let raw = try SQLiteConnection(path: temp.path)
            try raw.execute("PRAGMA foreign_keys = ON; CREATE TABLE schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL) STRICT")
            for migration in MentorDatabase.migrations.prefix(5) {
                try raw.execute(migration.sql)
                try raw.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", migration.name, "2026-11-01T00:00:00Z")
            }
            try raw.execute("PRAGMA user_version = 5")
            try raw.execute("""
                INSERT INTO mood_mentor_profiles (id, source_path, slug, name, bio, about, specialties, languages, therapy_types, session_minutes, is_active, created_at, updated_at)
                VALUES ('m1', 'ana.md', 'ana', 'Ana', 'Bio.', 'Bio.', '[]', '[]', '[]', 50, 1, 'x', 'x');
                INSERT INTO patients (id, email, name, created_at) VALUES ('p1', 'pat@example.org', 'Pat', 'x');
                INSERT INTO appointments (id, mentor_id, patient_id, appointment_type, starts_at, ends_at, mentor_timezone, local_date, local_start,
                    utc_offset, status, idempotency_key, manage_token_hash, created_at, updated_at)
                VALUES ('a1', 'm1', 'p1', 'video', 1000, 4000, 'UTC', '1970-01-01', '00:16', 0, 'cancelled', 'k1', 'h1', 'x', 'x'),
                       ('a2', 'm1', 'p1', 'audio', 5000, 8000, 'UTC', '1970-01-01', '01:23', 0, 'scheduled', 'k2', 'h2', 'x', 'x');
                INSERT INTO appointment_events (appointment_id, at, to_status) VALUES ('a1', 'x', 'cancelled');
                INSERT INTO outbox (created_at, kind, appointment_id, recipient, subject, body) VALUES ('x', 'booked', 'a2', 'pat@example.org', 'S', 'B');
                INSERT INTO payments (idempotency_key, appointment_id, provider, reference, amount_minor, currency, status, created_at, updated_at)
                VALUES ('k2', 'a2', 'test', 'test_1', 100, 'EUR', 'authorized', 'x', 'x');
                """)
        }
        let db = try temp.open()
        #expect(db.schemaVersion == MentorDatabase.migrations.count)
        #expect(try db.integrityProblems().isEmpty)
        #expect(try db.connection.query("SELECT id, status, cancelled_by FROM appointments ORDER BY id") { "\($0.text(0)) \($0.text(1)) \($0.optionalText(2) ?? "-")" }
                == ["a1 cancelled patient", "a2 scheduled -"])
        #expect(try db.connection.scalarInt("PRAGMA foreign_keys") == 1)
        let indexes = try db.connection.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appointments' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.text(0) }
        // The rebuild's three, and the one v9 (data rights) adds.
        #expect(indexes == ["appointments_live_start", "appointments_mentor_time", "appointments_patient", "appointments_patient_end"])
        // The tables that point at appointments point at the rebuilt one.
        #expect(throws: (any Error).self) { try db.connection.execute("INSERT INTO appointment_events (appointment_id, at, to_status) VALUES ('nope', 'x', 'cancelled')") }
        try db.connection.execute("UPDATE appointments SET status = 'no_show' WHERE id = 'a2'")
    }
}

@Suite struct WebEditSyncTests {
    func setUp() throws -> (TemporaryDatabase, MentorDatabase, Mentor) {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/ana.md", profile("Ana"))])
        return (temp, db, try db.mentor(id: try db.mentors()[0].id)!)
    }

    @Test func anUnchangedFileLeavesTheWebEditAlone() throws {
        let (temp, db, ana) = try setUp()
        defer { withExtendedLifetime(temp) {} }
        var edited = ana.profile
        edited.title = "Counsellor"
        #expect(try db.saveWebProfile(mentorID: ana.id, profile: edited, actor: "mentor:ana", now: 100) == ["title"])
        let report = try db.sync([("mentors/ana.md", profile("Ana"))])
        #expect(report.updated.isEmpty && report.conflicts.isEmpty)
        #expect(try db.mentor(id: ana.id)?.profile.title == "Counsellor")
    }

    @Test func aChangedFileAndAWebEditAreAConflictThatWritesNothingForThatMentor() throws {
        let (temp, db, ana) = try setUp()
        defer { withExtendedLifetime(temp) {} }
        var edited = ana.profile
        edited.title = "Counsellor"
        try db.saveWebProfile(mentorID: ana.id, profile: edited, actor: "mentor:ana", now: 100)
        var file = profile("Ana")
        file.location = "Lisbon"
        let report = try db.sync([("mentors/ana.md", file), ("mentors/bo.md", profile("Bo"))])
        #expect(report.conflicts == [MentorDatabase.SyncReport.Conflict(sourcePath: "mentors/ana.md", fields: ["title", "location"])])
        #expect(report.inserted == ["mentors/bo.md"])
        #expect(try db.mentor(id: ana.id)?.profile == edited)
        // The file wins when the operator says so.
        _ = try db.sync([("mentors/ana.md", file), ("mentors/bo.md", profile("Bo"))], now: "2026-01-02T00:00:00Z", slugFromName: foldedSlug, preferringFiles: ["mentors/ana.md"])
        #expect(try db.mentor(id: ana.id)?.profile == file && db.mentor(id: ana.id)?.webEditedAt == nil)
    }

    @Test func aFileThatNowSaysWhatTheWebSaidEndsTheWebEdit() throws {
        let (temp, db, ana) = try setUp()
        defer { withExtendedLifetime(temp) {} }
        var edited = ana.profile
        edited.title = "Counsellor"
        try db.saveWebProfile(mentorID: ana.id, profile: edited, actor: "mentor:ana", now: 100)
        #expect(try db.sync([("mentors/ana.md", edited)]).conflicts.isEmpty)
        #expect(try db.mentor(id: ana.id)?.webEditedAt == nil)
        // The next file change imports normally.
        var next = edited
        next.location = "Porto"
        #expect(try db.sync([("mentors/ana.md", next)]).updated == ["mentors/ana.md"])
    }

    @Test func educationAndExperienceSurviveAWebEditOfOtherFields() throws {
        let (temp, db, ana) = try setUp()
        defer { withExtendedLifetime(temp) {} }
        var edited = ana.profile
        edited.bio = "New words."
        try db.saveWebProfile(mentorID: ana.id, profile: edited, actor: "mentor:ana", now: 100)
        let saved = try #require(try db.mentor(id: ana.id))
        #expect(saved.profile.education == ana.profile.education && saved.profile.experience == ana.profile.experience)
        #expect(try db.connection.scalarInt("SELECT count(*) FROM mood_mentor_profiles WHERE bio = about AND bio = 'New words.'") == 1)
    }
}
