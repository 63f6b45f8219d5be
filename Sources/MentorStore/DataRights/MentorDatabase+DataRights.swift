import MentorCore

/// Everything the database holds about one patient, table by table, as stored.
public struct PatientData: Sendable {
    public var patientID: String
    public var tables: [(table: String, rows: [[(column: String, value: SQLValue)]])]

    public var rowCount: Int { tables.reduce(0) { $0 + $1.rows.count } }
}

/// What one erasure changed.
public struct ErasureReport: Sendable, Equatable {
    public var patientID: String
    /// Rows changed or deleted, over every table.
    public var rows: Int
}

/// Patients' data rights: export every row about a person, erase their identity (keeping
/// their appointments, anonymised, so that counts still add up), and retention. Each
/// action writes a `data_requests` row with the patient's opaque id, never the data.
extension MentorDatabase {
    /// Rows of the patient's appointments (bind the patient's id).
    private static let theirAppointments = "appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)"

    /// The rows about a patient, per table: (table, the WHERE clause, its parameters made
    /// from the patient's id and address).
    private static func patientScopes(id: String, email: String) -> [(String, String, [any SQLBindable])] {
        let theirs = theirAppointments
        return [
            ("patients", "id = ?", [id]),
            ("appointments", "patient_id = ?", [id]),
            ("appointment_events", theirs, [id]),
            ("appointment_reminders", theirs, [id]),
            ("payments", theirs, [id]),
            ("outbox", "recipient = ? OR \(theirs)", [email, id]),
            ("booking_drafts", "json_extract(data, '$.email') = ?", [email]),
            ("sign_in_links", "kind = 'patient' AND subject_id = ?", [id]),
            ("account_sessions", "kind = 'patient' AND subject_id = ?", [id]),
            ("rate_limits", "key IN ('email:' || ?, 'sign-in:' || ?)", [email, email]),
            ("data_requests", "patient_id = ?", [id]),
        ]
    }

    private func patientID(email: String) throws -> String {
        guard let id = try statement("SELECT id FROM patients WHERE email = ? AND erased_at IS NULL").map([email], { $0.text(0) }).first else {
            throw StoreError.unknownPatient(email: email)
        }
        return id
    }

    /// Every row about the patient with this address, and a log entry saying it was exported.
    public func exportPatient(email: String, actor: String, now: Int) throws -> PatientData {
        try wrap {
            try connection.writeTransaction {
                let id = try patientID(email: email)
                var data = PatientData(patientID: id, tables: [])
                for (table, condition, parameters) in Self.patientScopes(id: id, email: email) {
                    let rows = try connection.query("SELECT * FROM \(table) WHERE \(condition) ORDER BY 1", parameters) { $0.values() }
                    data.tables.append((table, rows.map { $0.map { (column: $0.0, value: $0.1) } }))
                }
                try log("export", patientID: id, actor: actor, rows: data.rowCount, now: now)
                return data
            }
        }
    }

    /// Erases the identity of the patient with this address from every table, then from the
    /// file itself: SQLite's `secure_delete` zeroes what is deleted, the WAL is checkpointed
    /// and truncated, and `VACUUM` rewrites the file without free pages. Their appointments
    /// stay with an anonymous patient row (counts and a mentor's history still add up);
    /// names, phone, notes, reasons, join links, manage links, mail about them, drafts,
    /// sign-in links and sessions go. Refused while they have a session still to come:
    /// cancel it first, so that neither side waits for a call.
    public func erasePatient(email: String, actor: String, now: Int) throws -> ErasureReport {
        let report = try wrap {
            try connection.writeTransaction {
                let id = try patientID(email: email)
                let upcoming = try connection.scalarInt("SELECT count(*) FROM appointments WHERE patient_id = ? AND status IN ('pending', 'scheduled') AND ends_at > ?", id, now) ?? 0
                if upcoming > 0 {
                    throw StoreError.patientHasUpcomingSessions(email: email, count: upcoming)
                }
                return ErasureReport(patientID: id, rows: try erase(patientID: id, email: email, now: now, action: "erase", actor: actor))
            }
        }
        try scrubFile()
        return report
    }

    /// Erases every patient whose last session ended more than `days` days before `now`
    /// (and who has none to come); returns how many.
    public func erasePatientsPastRetention(days: Int, actor: String, now: Int) throws -> Int {
        let cutoff = now - days * 86_400
        let erased = try wrap {
            try connection.writeTransaction {
                // A patient with no appointment at all (a confirmed address that never booked)
                // counts from when the row was made.
                let due = try connection.query("""
                    SELECT p.id, p.email FROM patients p
                    WHERE p.erased_at IS NULL
                      AND coalesce((SELECT max(a.ends_at) FROM appointments a WHERE a.patient_id = p.id), unixepoch(p.created_at)) < ?
                      AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = p.id AND a.status IN ('pending', 'scheduled') AND a.ends_at > ?)
                    ORDER BY p.id
                    """, [cutoff, now]) { ($0.text(0), $0.text(1)) }
                for (id, email) in due { _ = try erase(patientID: id, email: email, now: now, action: "retention-erase", actor: actor) }
                return due.count
            }
        }
        if erased > 0 { try scrubFile() }
        return erased
    }

    /// The erasure itself, inside the caller's transaction; returns the rows it changed.
    private func erase(patientID id: String, email: String, now: Int, action: String, actor: String) throws -> Int {
        try connection.execute("PRAGMA secure_delete = ON")
        let before = connection.totalChanges
        let theirs = Self.theirAppointments
        try connection.run("UPDATE appointment_events SET detail = NULL WHERE \(theirs) AND detail IS NOT NULL", id)
        try connection.run("UPDATE payments SET detail = NULL WHERE \(theirs) AND detail IS NOT NULL", id)
        try connection.run("""
            UPDATE appointments SET patient_name = NULL, patient_phone = NULL, notes = NULL, patient_timezone = NULL, sms_consent = 0,
                meeting_link = NULL, cancel_reason = NULL, manage_token_hash = 'erased-' || id
            WHERE patient_id = ?
            """, id)
        // Rows that are nothing but their identity go, chosen as the export chooses them:
        // mail and text messages to them or about them (the mentor's notices name them),
        // drafts, sign-in links, sessions and rate-limit counters.
        for (table, condition, parameters) in Self.patientScopes(id: id, email: email)
        where ["outbox", "booking_drafts", "sign_in_links", "account_sessions", "rate_limits"].contains(table) {
            try connection.prepare("DELETE FROM \(table) WHERE \(condition)").run(parameters)
        }
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        try connection.run("""
            UPDATE patients SET email = 'erased-' || lower(id) || '@erased.invalid', name = 'Erased patient', phone = NULL,
                verified_at = NULL, erased_at = ?
            WHERE id = ?
            """, stamp, id)
        let rows = connection.totalChanges - before
        try log(action, patientID: id, actor: actor, rows: rows, now: now)
        return rows
    }

    private func log(_ action: String, patientID: String, actor: String, rows: Int, now: Int) throws {
        try connection.run("INSERT INTO data_requests (at, action, patient_id, actor, rows) VALUES (?, ?, ?, ?, ?)",
                           Timestamp.format(secondsSinceEpoch: now), action, patientID, actor, rows)
    }

    /// Removes erased bytes from the file: the WAL (which still holds the old pages) is
    /// checkpointed and truncated, and VACUUM rewrites the database without free pages.
    private func scrubFile() throws {
        try wrap {
            try connection.execute("PRAGMA secure_delete = ON")
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try connection.execute("VACUUM")
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// The data-rights log, newest first: when, what, the patient's opaque id, who, rows.
    public func dataRequests() throws -> [(at: String, action: String, patientID: String, actor: String, rows: Int)] {
        try wrap {
            try connection.query("SELECT at, action, patient_id, actor, rows FROM data_requests ORDER BY id DESC") {
                (at: $0.text(0), action: $0.text(1), patientID: $0.text(2), actor: $0.text(3), rows: $0.int(4))
            }
        }
    }
}
