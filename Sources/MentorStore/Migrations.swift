import CSQLite
import MentorCore
/// One named, append-only schema change. Never edit a migration once it has shipped:
/// add a new one.
public struct Migration: Sendable {
    public let name: String
    public let sql: String
    /// Rebuilds a table (SQLite cannot change a CHECK in place): runs with foreign keys off,
    /// as SQLite's documented procedure requires, and checks every key before committing.
    public var rebuildsTables = false
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
                -- 'content' rows follow the content file on every import; 'dashboard' rows
                -- were added by the mentor and stay.
                source TEXT NOT NULL DEFAULT 'content' CHECK (source IN ('content', 'dashboard')),
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
        Migration(name: "v2-booking", sql: """
            CREATE TABLE patients (
                id TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
                name TEXT NOT NULL CHECK (length(trim(name)) > 0),
                phone TEXT,
                verified_at TEXT,
                created_at TEXT NOT NULL
            ) STRICT;

            -- Instants are Unix seconds (UTC); the mentor's local date and time are kept
            -- beside them as they were shown. Money in minor units.
            CREATE TABLE appointments (
                id TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id),
                patient_id TEXT NOT NULL REFERENCES patients(id),
                specialty TEXT,
                appointment_type TEXT NOT NULL CHECK (appointment_type IN ('video', 'audio', 'chat')),
                starts_at INTEGER NOT NULL,
                ends_at INTEGER NOT NULL,
                mentor_timezone TEXT NOT NULL,
                local_date TEXT NOT NULL,
                local_start TEXT NOT NULL,
                utc_offset INTEGER NOT NULL,
                patient_timezone TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'scheduled', 'completed', 'cancelled', 'rescheduled', 'expired')),
                hold_expires_at INTEGER,
                price_minor INTEGER CHECK (price_minor >= 0),
                currency TEXT,
                payment_reference TEXT,
                notes TEXT,
                idempotency_key TEXT NOT NULL UNIQUE,
                manage_token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                CHECK (ends_at > starts_at),
                CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL)
            ) STRICT;
            -- Two live appointments for one mentor at one instant are impossible; an expired
            -- hold must be marked expired (inside the booking transaction) before its slot
            -- can be taken again.
            CREATE UNIQUE INDEX appointments_live_start ON appointments(mentor_id, starts_at) WHERE status IN ('pending', 'scheduled');
            CREATE INDEX appointments_mentor_time ON appointments(mentor_id, starts_at);
            CREATE INDEX appointments_patient ON appointments(patient_id);

            -- Every status change, never deleted.
            CREATE TABLE appointment_events (
                id INTEGER PRIMARY KEY,
                appointment_id TEXT NOT NULL REFERENCES appointments(id),
                at TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                detail TEXT
            ) STRICT;
            CREATE INDEX appointment_events_appointment ON appointment_events(appointment_id);

            -- Mail written in the same transaction as the change it announces; delivered by
            -- `mentorsite mail`.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                kind TEXT NOT NULL,
                appointment_id TEXT REFERENCES appointments(id),
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                next_attempt_at INTEGER NOT NULL DEFAULT 0,
                sent_at TEXT
            ) STRICT;
            CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);

            -- A patient's answers between wizard steps, keyed by a random id in a cookie, so
            -- nothing personal goes into a URL. Deleted once booked or expired.
            CREATE TABLE booking_drafts (
                id TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                data TEXT NOT NULL CHECK (json_valid(data)),
                expires_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE rate_limits (
                key TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (key, window_start)
            ) STRICT;
            """),
        // Content key `email`: where a mentor's booking notices go; the dashboard also
        // accepts it as REMOTE_USER.
        Migration(name: "v3-mentor-email", sql: """
            ALTER TABLE mood_mentor_profiles ADD COLUMN email TEXT CHECK (email IS NULL OR (email = lower(email) AND length(email) BETWEEN 3 AND 254));
            CREATE INDEX mood_mentor_profiles_email ON mood_mentor_profiles(email) WHERE email IS NOT NULL;
            """),
        // A digest of each synced profile, so that `build` sees every content change even
        // when two imports share a second (or SOURCE_DATE_EPOCH fixes updated_at).
        Migration(name: "v4-profile-content-hash", sql: """
            ALTER TABLE mood_mentor_profiles ADD COLUMN content_hash TEXT;
            """),
        // Payments as their own rows: the form's idempotency key is claimed here before the
        // provider is called, so concurrent submits authorise once, and an authorisation
        // whose booking did not happen is voided. The name and phone typed for a booking
        // stay on the appointment: an unconfirmed booking never changes a verified patient.
        Migration(name: "v5-payments-and-booking-details", sql: """
            CREATE TABLE payments (
                id INTEGER PRIMARY KEY,
                idempotency_key TEXT NOT NULL UNIQUE,
                appointment_id TEXT REFERENCES appointments(id),
                provider TEXT NOT NULL,
                reference TEXT UNIQUE,
                amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                status TEXT NOT NULL CHECK (status IN ('authorizing', 'declined', 'authorized', 'voided', 'captured', 'refunded')),
                refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND amount_minor),
                -- While 'authorizing': a claim older than this was left by a process that died.
                claimed_until INTEGER,
                detail TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                CHECK (status IN ('authorizing', 'declined') OR reference IS NOT NULL)
            ) STRICT;
            CREATE INDEX payments_appointment ON payments(appointment_id);

            ALTER TABLE appointments ADD COLUMN patient_name TEXT;
            ALTER TABLE appointments ADD COLUMN patient_phone TEXT;
            """),
        // Mentors and patients sign in by emailed link (sessions kept here, so signing out
        // ends them); mentors edit their profile, hours and calendar on the web (audited,
        // queued for publishing, and kept apart from content-file edits); sessions end as
        // completed, no-show or cancelled by someone, for a reason.
        Migration(name: "v6-accounts-web-edits-and-outcomes", sql: """
            CREATE TABLE sign_in_links (
                token_hash TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('mentor', 'patient')),
                subject_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                used_at INTEGER
            ) STRICT;

            CREATE TABLE account_sessions (
                id_hash TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('mentor', 'patient')),
                subject_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                ended_at INTEGER
            ) STRICT;

            -- web_edited_at: the profile was changed on the web since the content file was
            -- last read or written; source_digest: the file's profile at that time.
            ALTER TABLE mood_mentor_profiles ADD COLUMN web_edited_at TEXT;
            ALTER TABLE mood_mentor_profiles ADD COLUMN source_digest TEXT;
            ALTER TABLE mood_mentor_profiles ADD COLUMN is_paused INTEGER NOT NULL DEFAULT 0 CHECK (is_paused IN (0, 1));

            -- Every web change to a profile: who, when, which fields.
            CREATE TABLE profile_audit (
                id INTEGER PRIMARY KEY,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                fields TEXT NOT NULL CHECK (json_valid(fields))
            ) STRICT;

            -- What the web changed that the static site must show; `mentorsite publish`
            -- (and every build) renders the pages it affects and marks it published.
            CREATE TABLE site_changes (
                id INTEGER PRIMARY KEY,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                at TEXT NOT NULL,
                reason TEXT NOT NULL,
                published_at TEXT
            ) STRICT;
            CREATE INDEX site_changes_pending ON site_changes(published_at);

            -- A mentor's private calendar feed: the token's SHA-256, revocable.
            CREATE TABLE calendar_feeds (
                token_hash TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            ) STRICT;

            CREATE TABLE appointments_rebuilt (
                id TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id),
                patient_id TEXT NOT NULL REFERENCES patients(id),
                specialty TEXT,
                appointment_type TEXT NOT NULL CHECK (appointment_type IN ('video', 'audio', 'chat')),
                starts_at INTEGER NOT NULL,
                ends_at INTEGER NOT NULL,
                mentor_timezone TEXT NOT NULL,
                local_date TEXT NOT NULL,
                local_start TEXT NOT NULL,
                utc_offset INTEGER NOT NULL,
                patient_timezone TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'scheduled', 'completed', 'no_show', 'cancelled', 'rescheduled', 'expired')),
                hold_expires_at INTEGER,
                price_minor INTEGER CHECK (price_minor >= 0),
                currency TEXT,
                payment_reference TEXT,
                notes TEXT,
                idempotency_key TEXT NOT NULL UNIQUE,
                manage_token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                patient_name TEXT,
                patient_phone TEXT,
                cancelled_by TEXT CHECK (cancelled_by IN ('patient', 'mentor', 'operator')),
                cancel_reason TEXT,
                CHECK (ends_at > starts_at),
                CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL),
                CHECK (cancelled_by IS NULL OR status = 'cancelled')
            ) STRICT;
            INSERT INTO appointments_rebuilt (id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone,
                local_date, local_start, utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency, payment_reference,
                notes, idempotency_key, manage_token_hash, created_at, updated_at, patient_name, patient_phone, cancelled_by)
            SELECT id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone,
                local_date, local_start, utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency, payment_reference,
                notes, idempotency_key, manage_token_hash, created_at, updated_at, patient_name, patient_phone,
                CASE status WHEN 'cancelled' THEN 'patient' END
            FROM appointments;
            DROP TABLE appointments;
            ALTER TABLE appointments_rebuilt RENAME TO appointments;
            CREATE UNIQUE INDEX appointments_live_start ON appointments(mentor_id, starts_at) WHERE status IN ('pending', 'scheduled');
            CREATE INDEX appointments_mentor_time ON appointments(mentor_id, starts_at);
            CREATE INDEX appointments_patient ON appointments(patient_id);
            """, rebuildsTables: true),
        // What import last read of each content file, so that an unchanged file is neither
        // read nor parsed again: its size, times and inode ('' while too recent to trust,
        // as git's index does), and a digest of its bytes and of how they were read. And
        // indexes that let builds and imports read every mentor's summary without the bio.
        Migration(name: "v7-content-file-stamps", sql: """
            CREATE TABLE content_files (
                source_path TEXT PRIMARY KEY NOT NULL,
                stamp TEXT NOT NULL,
                digest TEXT NOT NULL
            ) STRICT, WITHOUT ROWID;
            -- What builds and imports read of every mentor, without the bio: a profile row
            -- runs over several pages (bio and about), so these are read from an index.
            CREATE INDEX mood_mentor_profiles_summary ON mood_mentor_profiles(is_active, slug, id, source_path, name, specialty,
                specialties, languages, avatar_url, content_hash, is_paused, created_at, updated_at);
            CREATE INDEX mood_mentor_profiles_web_edited ON mood_mentor_profiles(web_edited_at, id, source_digest) WHERE web_edited_at IS NOT NULL;
            """),
        // Patients come back: every session has a join link (the mentor's own room, content
        // key `meeting_url`, or a room made for it); reminders are queued once per session,
        // offset and start time (a moved session gets new ones); the outbox carries SMS too,
        // is claimed by the run that sends a message (two runs never send one twice), and
        // gives up after a number of attempts, keeping the message; a payment is captured
        // once its session is booked, and a cancelled one keeps what the policy decided at
        // the cancellation (`keep_minor`) and refunds or releases the rest.
        Migration(name: "v8-join-links-reminders-and-delivery", sql: """
            ALTER TABLE mood_mentor_profiles ADD COLUMN meeting_url TEXT CHECK (meeting_url IS NULL OR substr(meeting_url, 1, 8) = 'https://');
            ALTER TABLE appointments ADD COLUMN meeting_link TEXT;
            ALTER TABLE appointments ADD COLUMN sms_consent INTEGER NOT NULL DEFAULT 0 CHECK (sms_consent IN (0, 1));
            CREATE TABLE appointment_reminders (
                appointment_id TEXT NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
                minutes_before INTEGER NOT NULL CHECK (minutes_before > 0),
                starts_at INTEGER NOT NULL,
                queued_at TEXT NOT NULL,
                PRIMARY KEY (appointment_id, minutes_before, starts_at)
            ) STRICT, WITHOUT ROWID;
            ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
            ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
            ALTER TABLE outbox ADD COLUMN gave_up_at TEXT;
            ALTER TABLE payments ADD COLUMN captured_minor INTEGER NOT NULL DEFAULT 0 CHECK (captured_minor >= 0);
            ALTER TABLE payments ADD COLUMN keep_minor INTEGER CHECK (keep_minor IS NULL OR keep_minor >= 0);
            DROP INDEX outbox_pending;
            CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
            """),
        // Patients' data rights: an erased patient keeps a row (appointments still count)
        // without their identity; every export and erasure is logged without the data
        // (the patient's opaque id, what was done, by whom and how many rows).
        Migration(name: "v9-data-rights", sql: """
            ALTER TABLE patients ADD COLUMN erased_at TEXT;
            CREATE TABLE data_requests (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                action TEXT NOT NULL CHECK (action IN ('export', 'erase', 'retention-erase')),
                patient_id TEXT NOT NULL,
                actor TEXT NOT NULL,
                rows INTEGER NOT NULL CHECK (rows >= 0)
            ) STRICT;
            CREATE INDEX appointments_patient_end ON appointments(patient_id, ends_at);
            """),
        // Webhooks (Standard Webhooks): an event is queued with one delivery per configured
        // endpoint in the same transaction as the change it announces; `mentorsite
        // webhooks` claims due deliveries, signs and sends them, and records each attempt.
        // An endpoint that answers 410 Gone is disabled.
        Migration(name: "v10-webhooks", sql: """
            CREATE TABLE webhook_events (
                id TEXT PRIMARY KEY NOT NULL,
                type TEXT NOT NULL,
                payload TEXT NOT NULL CHECK (json_valid(payload)),
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE webhook_deliveries (
                event_id TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
                endpoint TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'gave_up', 'disabled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                claimed_until INTEGER,
                last_status INTEGER,
                last_error TEXT,
                finished_at INTEGER,
                PRIMARY KEY (event_id, endpoint)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
            CREATE TABLE webhook_endpoints (
                url TEXT PRIMARY KEY NOT NULL,
                disabled_at INTEGER,
                reason TEXT
            ) STRICT;
            """),
        // The read-only API: a mentor's token, made and revoked on the dashboard, kept as
        // the SHA-256 digest of the token (one live token per mentor).
        Migration(name: "v11-api-tokens", sql: """
            CREATE TABLE api_tokens (
                token_hash TEXT PRIMARY KEY NOT NULL,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            ) STRICT;
            CREATE INDEX api_tokens_mentor ON api_tokens(mentor_id) WHERE revoked_at IS NULL;
            """),
        // Verification: an operator records that they checked a mentor's credentials (who,
        // when, what was checked), or withdraws it; the profile shows the date.
        Migration(name: "v12-verification", sql: """
            ALTER TABLE mood_mentor_profiles ADD COLUMN verified_at TEXT;
            CREATE TABLE mentor_verifications (
                id INTEGER PRIMARY KEY,
                mentor_id TEXT NOT NULL REFERENCES mood_mentor_profiles(id) ON DELETE CASCADE,
                action TEXT NOT NULL CHECK (action IN ('verify', 'unverify')),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                note TEXT NOT NULL CHECK (length(trim(note)) > 0)
            ) STRICT;
            CREATE INDEX mentor_verifications_mentor ON mentor_verifications(mentor_id, id);
            -- The summary builds read stays in the index (the row runs over the bio's pages).
            DROP INDEX mood_mentor_profiles_summary;
            CREATE INDEX mood_mentor_profiles_summary ON mood_mentor_profiles(is_active, slug, id, source_path, name, specialty,
                specialties, languages, avatar_url, content_hash, is_paused, created_at, updated_at, verified_at);
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
            // Foreign keys can only be switched outside a transaction.
            if migration.rebuildsTables { try connection.execute("PRAGMA foreign_keys = OFF") }
            defer { if migration.rebuildsTables { try? connection.execute("PRAGMA foreign_keys = ON") } }
            try connection.writeTransaction {
                // Re-check inside the lock: another process may have migrated meanwhile.
                let current = try connection.scalarInt("PRAGMA user_version") ?? 0
                guard current == index else { return }
                try connection.execute(migration.sql)
                if migration.rebuildsTables {
                    let broken = try connection.query("PRAGMA foreign_key_check") { "\($0.text(0)) row \($0.int(1))" }
                    if !broken.isEmpty {
                        throw SQLiteError(code: SQLITE_CONSTRAINT, message: "\(migration.name) would break foreign keys: \(broken.prefix(5).joined(separator: ", "))", sql: nil)
                    }
                }
                try connection.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", migration.name, Timestamp.now())
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
