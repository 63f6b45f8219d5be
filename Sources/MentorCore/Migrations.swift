/// One named, append-only schema change. Never edit a migration once it has shipped:
/// add a new one.
public struct Migration: Sendable {
    public let name: String
    public let sql: String
}

extension MentorDatabase {
    /// Every migration in order; `PRAGMA user_version` counts how many have run.
    public static let migrations: [Migration] = [
        Migration(name: "v1-mentor-profiles", sql: """
            CREATE TABLE mood_mentor_profiles (
                id TEXT PRIMARY KEY NOT NULL,
                source_path TEXT NOT NULL UNIQUE,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL CHECK (length(trim(name)) > 0),
                explicit_slug TEXT,
                title TEXT,
                specialty TEXT,
                location TEXT,
                gender TEXT,
                avatar_url TEXT,
                bio TEXT NOT NULL DEFAULT '',
                about TEXT NOT NULL DEFAULT '',
                specialties TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(specialties) AND json_type(specialties) = 'array'),
                languages TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages) AND json_type(languages) = 'array'),
                therapy_types TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(therapy_types) AND json_type(therapy_types) = 'array'),
                experience_years INTEGER CHECK (experience_years BETWEEN 0 AND 80),
                review_count INTEGER CHECK (review_count >= 0),
                rating REAL CHECK (rating BETWEEN 0 AND 5),
                hourly_rate TEXT CHECK (hourly_rate IS NULL OR (hourly_rate GLOB '[0-9]*' AND hourly_rate NOT GLOB '*[^0-9.]*')),
                currency TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency = upper(currency))),
                session_minutes INTEGER NOT NULL DEFAULT 50 CHECK (session_minutes BETWEEN 10 AND 480),
                timezone TEXT,
                is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                CHECK (bio = about),
                CHECK ((hourly_rate IS NULL) = (currency IS NULL))
            ) STRICT;

            CREATE TABLE mood_mentor_education (
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                degree TEXT NOT NULL,
                institution TEXT NOT NULL,
                year INTEGER CHECK (year BETWEEN 1900 AND 2200),
                PRIMARY KEY (mentor_id, position)
            ) STRICT;

            CREATE TABLE mood_mentor_experience (
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                title TEXT NOT NULL,
                place TEXT NOT NULL,
                duration TEXT,
                PRIMARY KEY (mentor_id, position)
            ) STRICT;

            CREATE TABLE mentor_availability (
                id INTEGER PRIMARY KEY,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
                start_time TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
                end_time TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]'),
                CHECK (start_time < end_time)
            ) STRICT;
            CREATE INDEX mentor_availability_mentor ON mentor_availability(mentor_id, day_of_week);

            CREATE TABLE mentor_blocked_dates (
                id INTEGER PRIMARY KEY,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                reason TEXT,
                UNIQUE (mentor_id, date)
            ) STRICT;

            -- Every slug a mentor was ever published under; the current one is also in
            -- mood_mentor_profiles.slug. Old ones redirect, so a slug is never reused.
            CREATE TABLE mentor_slugs (
                slug TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX mentor_slugs_mentor ON mentor_slugs(mentor_id);
            """),
    ]

    /// Runs the migrations this database has not seen, each in its own transaction.
    func migrate() throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL) STRICT")
        let version = try connection.scalarInt("PRAGMA user_version") ?? 0
        if version > Self.migrations.count {
            throw StoreError.newerSchema(path: connection.path, found: version, known: Self.migrations.count)
        }
        for (index, migration) in Self.migrations.enumerated() where index >= version {
            try connection.writeTransaction {
                // Re-check inside the lock: another process may have migrated meanwhile.
                let current = try connection.scalarInt("PRAGMA user_version") ?? 0
                guard current == index else { return }
                try connection.execute(migration.sql)
                try connection.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", migration.name, Timestamp.now())
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
