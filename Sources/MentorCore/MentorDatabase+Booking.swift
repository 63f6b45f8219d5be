import FoundationEssentials

/// What a patient asks to book, already validated field by field.
public struct BookingRequest: Equatable, Sendable {
    public var mentorID: String
    public var specialty: String?
    public var appointmentType: String
    public var start: Int
    public var patientName: String
    public var patientEmail: String
    public var patientPhone: String?
    public var patientTimezone: String?
    public var notes: String?
    /// The form's one-time key: a second submit of the same form books nothing new.
    public var idempotencyKey: String
    /// True when the patient is signed in with this email (skips the confirmation email).
    public var patientVerified: Bool
    public var paymentReference: String?
    /// SHA-256 (hex) of the manage link's random token; the token itself is never stored.
    public var manageTokenHash: String

    public init(mentorID: String, specialty: String?, appointmentType: String, start: Int, patientName: String, patientEmail: String,
                patientPhone: String?, patientTimezone: String?, notes: String?, idempotencyKey: String, patientVerified: Bool,
                paymentReference: String?, manageTokenHash: String) {
        self.manageTokenHash = manageTokenHash
        self.mentorID = mentorID
        self.specialty = specialty
        self.appointmentType = appointmentType
        self.start = start
        self.patientName = patientName
        self.patientEmail = patientEmail
        self.patientPhone = patientPhone
        self.patientTimezone = patientTimezone
        self.notes = notes
        self.idempotencyKey = idempotencyKey
        self.patientVerified = patientVerified
        self.paymentReference = paymentReference
    }
}

/// An appointment as stored.
public struct Appointment: Equatable, Sendable {
    public var id: String
    public var mentorID: String
    public var patientID: String
    public var specialty: String?
    public var appointmentType: String
    public var start: Int
    public var end: Int
    public var mentorTimezone: String
    public var localDate: String
    public var localStart: String
    public var utcOffset: Int
    public var patientTimezone: String?
    public var status: String
    public var holdExpiresAt: Int?
    public var priceMinor: Int?
    public var currency: String?
    /// The name and phone typed for this booking (older rows: nil, the patient's record holds them).
    public var patientName: String?
    public var patientPhone: String?

    public init(id: String, mentorID: String, patientID: String, specialty: String?, appointmentType: String, start: Int, end: Int,
                mentorTimezone: String, localDate: String, localStart: String, utcOffset: Int, patientTimezone: String?, status: String,
                holdExpiresAt: Int?, priceMinor: Int?, currency: String?, patientName: String? = nil, patientPhone: String? = nil) {
        self.id = id
        self.mentorID = mentorID
        self.patientID = patientID
        self.specialty = specialty
        self.appointmentType = appointmentType
        self.start = start
        self.end = end
        self.mentorTimezone = mentorTimezone
        self.localDate = localDate
        self.localStart = localStart
        self.utcOffset = utcOffset
        self.patientTimezone = patientTimezone
        self.status = status
        self.holdExpiresAt = holdExpiresAt
        self.priceMinor = priceMinor
        self.currency = currency
        self.patientName = patientName
        self.patientPhone = patientPhone
    }
}

/// Why a booking did not happen.
public enum BookingFailure: Error, Equatable, Sendable {
    /// The slot is gone (taken meanwhile, or no longer offered); here are the nearest free ones.
    case slotTaken(nearest: [Slot])
    /// The mentor is no longer active or has no hours.
    case mentorUnavailable

    /// Why, in a few words (recorded with a voided payment).
    public var reason: String {
        switch self {
        case .slotTaken: "slot taken"
        case .mentorUnavailable: "mentor unavailable"
        }
    }
}

extension MentorDatabase {
    /// Status changes go through here so that history is always recorded.
    func recordEvent(_ appointmentID: String, from: String?, to: String, detail: String? = nil, now: String) throws {
        try statement("INSERT INTO appointment_events (appointment_id, at, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?)")
            .run([appointmentID, now, from, to, detail])
    }

    /// One active mentor by slug, with its schedule; nil when unknown or inactive.
    public func activeMentor(slug: String) throws -> Mentor? {
        try wrap {
            guard let id = try connection.scalarText("SELECT id FROM mood_mentor_profiles WHERE slug = ? AND is_active = 1", slug) else { return nil }
            return try mentors(ids: [id]).first
        }
    }

    /// The active mentor whose notice address is `email` (lowercase), for the dashboard's
    /// REMOTE_USER. Two mentors sharing an address match neither: a login must name one.
    public func activeMentor(email: String) throws -> Mentor? {
        try wrap {
            let ids = try connection.query("SELECT id FROM mood_mentor_profiles WHERE email = ? AND is_active = 1 LIMIT 2", [email]) { $0.text(0) }
            guard ids.count == 1 else { return nil }
            return try mentors(ids: ids).first
        }
    }

    /// Instants already taken for a mentor: scheduled appointments and unexpired holds.
    /// - Parameter excluding: an appointment that is being moved, whose own time is free to it.
    public func busyRanges(mentorID: String, from: Int, to: Int, now: Int, excluding: String? = nil) throws -> [Range<Int>] {
        try wrap {
            try statement("""
                SELECT starts_at, ends_at FROM appointments
                WHERE mentor_id = ? AND ends_at > ? AND starts_at < ? AND id <> ?
                  AND (status = 'scheduled' OR (status = 'pending' AND hold_expires_at > ?))
                ORDER BY starts_at
                """).map([mentorID, from, to, excluding ?? "", now]) { $0.int(0)..<$0.int(1) }
        }
    }

    /// Moves a live appointment to another free slot, keeping its identity (id, patient,
    /// manage link). Obeys the cancellation window of the current time; re-checks the new
    /// one from scratch inside `BEGIN IMMEDIATE`; records the move in the history.
    /// Returns nil when the appointment is not live or the window has passed.
    public func reschedule(appointmentID: String, to newStart: Int, window: Int, rules: BookingRules, now: Int,
                           mail: (Appointment) throws -> [OutgoingMail]) throws -> Appointment? {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Appointment? in
                guard let current = try appointment(id: appointmentID), ["pending", "scheduled"].contains(current.status),
                      current.start - now >= window, current.status != "pending" || (current.holdExpiresAt ?? 0) > now
                else { return nil }
                guard let mentor = try mentors(ids: [current.mentorID]).first, let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:)) else {
                    throw BookingFailure.mentorUnavailable
                }
                let schedule = SlotCalculator.Schedule(rules: zone, sessionMinutes: mentor.profile.sessionMinutes,
                                                       availability: mentor.profile.availability, blockedDates: mentor.allBlockedDates)
                let busy = try busyRanges(mentorID: mentor.id, from: newStart - 2 * 86_400, to: newStart + 2 * 86_400, now: now, excluding: current.id)
                let day = zone.local(newStart).date
                guard let slot = SlotCalculator.freeSlots(for: schedule, from: day.adding(days: -1), days: 3, now: now, busy: busy, rules: rules)
                    .first(where: { $0.start == newStart }), newStart != current.start
                else {
                    let upcoming = SlotCalculator.freeSlots(for: schedule, from: day, days: 14, now: now, busy: busy, rules: rules)
                    throw BookingFailure.slotTaken(nearest: Array(upcoming.prefix(3)))
                }
                try statement("""
                    UPDATE appointments SET starts_at = ?, ends_at = ?, local_date = ?, local_start = ?, utc_offset = ?, updated_at = ?
                    WHERE id = ? AND status IN ('pending', 'scheduled')
                    """).run([slot.start, slot.end, slot.localDate.description, slot.localStart.description, slot.offset, stamp, current.id])
                try recordEvent(current.id, from: current.status, to: "rescheduled",
                                detail: "from \(current.localDate) \(current.localStart) to \(slot.localDate) \(slot.localStart) (\(zone.identifier))", now: stamp)
                guard let moved = try appointment(id: current.id) else { return nil }
                for message in try mail(moved) { try enqueue(message, appointmentID: moved.id, now: stamp) }
                return moved
            }
        }
    }

    /// Books or holds a slot in one `BEGIN IMMEDIATE` transaction, re-checking every rule:
    /// the mentor is active, the start is one of the free slots computed now (weekly hours,
    /// blocked dates, notice, horizon, other appointments and live holds). A verified
    /// patient's appointment is `scheduled`; anyone else's is `pending` until they confirm
    /// by email, holding the slot until `holdExpiresAt`. Mail goes to the outbox in the
    /// same transaction. The same idempotency key returns the first result.
    /// - Returns: the appointment, and whether this call created it (false for a repeat).
    public func book(_ request: BookingRequest, rules: BookingRules, holdSeconds: Int, now: Int, mail: (Appointment, Mentor) throws -> [OutgoingMail]) throws -> (appointment: Appointment, created: Bool) {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> (Appointment, Bool) in
                if let existing = try appointment(idempotencyKey: request.idempotencyKey) { return (existing, false) }
                // A unique index cannot see time: expired holds are marked first, inside the lock.
                try expireHolds(mentorID: request.mentorID, now: now, stamp: stamp)
                guard let mentor = try mentors(ids: [request.mentorID]).first, let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:)),
                      !mentor.profile.availability.isEmpty
                else { throw BookingFailure.mentorUnavailable }
                let schedule = SlotCalculator.Schedule(rules: zone, sessionMinutes: mentor.profile.sessionMinutes,
                                                       availability: mentor.profile.availability, blockedDates: mentor.allBlockedDates)
                let localDay = zone.local(request.start).date
                let busy = try busyRanges(mentorID: mentor.id, from: request.start - 2 * 86_400, to: request.start + 2 * 86_400, now: now)
                let free = SlotCalculator.freeSlots(for: schedule, from: localDay.adding(days: -1), days: 3, now: now, busy: busy, rules: rules)
                guard let slot = free.first(where: { $0.start == request.start }) else {
                    let upcoming = SlotCalculator.freeSlots(for: schedule, from: localDay, days: 14, now: now, busy: busy, rules: rules)
                    throw BookingFailure.slotTaken(nearest: Array(upcoming.sorted { abs($0.start - request.start) < abs($1.start - request.start) }.prefix(3)).sorted { $0.start < $1.start })
                }
                let patientID = try patient(email: request.patientEmail, name: request.patientName, phone: request.patientPhone,
                                            verified: request.patientVerified, now: stamp)
                let status = request.patientVerified ? "scheduled" : "pending"
                let price = mentor.profile.hourlyRate?.forSession(minutes: mentor.profile.sessionMinutes)
                let appointment = Appointment(
                    id: UUID().uuidString.lowercased(), mentorID: mentor.id, patientID: patientID, specialty: request.specialty,
                    appointmentType: request.appointmentType, start: slot.start, end: slot.end, mentorTimezone: zone.identifier,
                    localDate: slot.localDate.description, localStart: slot.localStart.description, utcOffset: slot.offset,
                    patientTimezone: request.patientTimezone, status: status, holdExpiresAt: status == "pending" ? now + holdSeconds : nil,
                    priceMinor: price?.minorUnits, currency: price?.currency, patientName: request.patientName, patientPhone: request.patientPhone)
                try statement("""
                    INSERT INTO appointments (id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone,
                        local_date, local_start, utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency,
                        payment_reference, notes, idempotency_key, manage_token_hash, created_at, updated_at, patient_name, patient_phone)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).run([appointment.id, appointment.mentorID, patientID, appointment.specialty, appointment.appointmentType,
                              appointment.start, appointment.end, appointment.mentorTimezone, appointment.localDate, appointment.localStart,
                              appointment.utcOffset, appointment.patientTimezone, appointment.status, appointment.holdExpiresAt,
                              appointment.priceMinor, appointment.currency, request.paymentReference, request.notes,
                              request.idempotencyKey, request.manageTokenHash, stamp, stamp, request.patientName, request.patientPhone])
                try recordEvent(appointment.id, from: nil, to: status, now: stamp)
                if let reference = request.paymentReference {
                    try statement("UPDATE payments SET appointment_id = ?, updated_at = ? WHERE reference = ?").run([appointment.id, stamp, reference])
                }
                for message in try mail(appointment, mentor) { try enqueue(message, appointmentID: appointment.id, now: stamp) }
                return (appointment, true)
            }
        }
    }

    /// Confirms a pending appointment: a compare-and-set that succeeds once, and only while
    /// the hold lasts. Marks the patient verified. A new manage-link hash, when given, is
    /// stored in the same transaction as the mail that carries its token.
    public func confirm(appointmentID: String, now: Int, manageTokenHash: String? = nil, mail: (Appointment) throws -> [OutgoingMail]) throws -> Appointment? {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Appointment? in
                try statement("UPDATE appointments SET status = 'scheduled', hold_expires_at = NULL, updated_at = ? WHERE id = ? AND status = 'pending' AND hold_expires_at > ?")
                    .run([stamp, appointmentID, now])
                guard connection.changes == 1, let appointment = try appointment(id: appointmentID) else { return nil }
                if let manageTokenHash {
                    try statement("UPDATE appointments SET manage_token_hash = ? WHERE id = ?").run([manageTokenHash, appointmentID])
                }
                // The first confirmation verifies the address and takes the details typed for
                // this booking; a patient verified before keeps their record.
                try statement("""
                    UPDATE patients SET name = coalesce(?, name), phone = coalesce(?, phone), verified_at = ?
                    WHERE id = ? AND verified_at IS NULL
                    """).run([appointment.patientName, appointment.patientPhone, stamp, appointment.patientID])
                try recordEvent(appointmentID, from: "pending", to: "scheduled", detail: "confirmed by email", now: stamp)
                for message in try mail(appointment) { try enqueue(message, appointmentID: appointmentID, now: stamp) }
                return appointment
            }
        }
    }

    /// Cancels a live appointment (pending or scheduled) at least `window` seconds before it
    /// starts. Returns nil when it was not live or the window has passed.
    public func cancel(appointmentID: String, window: Int, now: Int, mail: (Appointment) throws -> [OutgoingMail]) throws -> Appointment? {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Appointment? in
                guard let before = try appointment(id: appointmentID) else { return nil }
                try statement("UPDATE appointments SET status = 'cancelled', updated_at = ? WHERE id = ? AND status IN ('pending', 'scheduled') AND starts_at - ? >= ?")
                    .run([stamp, appointmentID, now, window])
                guard connection.changes == 1, let after = try appointment(id: appointmentID) else { return nil }
                try recordEvent(appointmentID, from: before.status, to: "cancelled", detail: "cancelled by patient", now: stamp)
                for message in try mail(after) { try enqueue(message, appointmentID: appointmentID, now: stamp) }
                return after
            }
        }
    }

    /// The patient with this address, created when new. Only the patient signed in with
    /// this address (`verified`) changes an existing record: unverified input, which anyone
    /// can type, stays on its own appointment.
    func patient(email: String, name: String, phone: String?, verified: Bool, now: String) throws -> String {
        if let id = try connection.scalarText("SELECT id FROM patients WHERE email = ?", email) {
            if verified {
                try statement("UPDATE patients SET name = ?, phone = coalesce(?, phone) WHERE id = ?").run([name, phone, id])
            }
            return id
        }
        let id = UUID().uuidString.lowercased()
        try statement("INSERT INTO patients (id, email, name, phone, verified_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .run([id, email, name, phone, verified ? now : nil, now])
        return id
    }

    static let appointmentColumns = """
        id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone, local_date, local_start,
        utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency, patient_name, patient_phone
        """

    func readAppointment(_ row: SQLiteRow) -> Appointment {
        Appointment(id: row.text(0), mentorID: row.text(1), patientID: row.text(2), specialty: row.optionalText(3),
                    appointmentType: row.text(4), start: row.int(5), end: row.int(6), mentorTimezone: row.text(7),
                    localDate: row.text(8), localStart: row.text(9), utcOffset: row.int(10), patientTimezone: row.optionalText(11),
                    status: row.text(12), holdExpiresAt: row.optionalInt(13), priceMinor: row.optionalInt(14), currency: row.optionalText(15),
                    patientName: row.optionalText(16), patientPhone: row.optionalText(17))
    }

    public func appointment(id: String) throws -> Appointment? {
        try statement("SELECT \(Self.appointmentColumns) FROM appointments WHERE id = ?").map([id], readAppointment).first
    }

    public func appointment(idempotencyKey: String) throws -> Appointment? {
        try statement("SELECT \(Self.appointmentColumns) FROM appointments WHERE idempotency_key = ?").map([idempotencyKey], readAppointment).first
    }

    public func appointment(manageTokenHash: String) throws -> Appointment? {
        try wrap {
            try statement("SELECT \(Self.appointmentColumns) FROM appointments WHERE manage_token_hash = ?").map([manageTokenHash], readAppointment).first
        }
    }

    /// How many times an appointment's time or status changed after it was made (its
    /// calendar SEQUENCE): every change writes one event.
    public func changeCount(appointmentID: String) throws -> Int {
        try wrap { max(0, (try connection.scalarInt("SELECT count(*) FROM appointment_events WHERE appointment_id = ?", appointmentID) ?? 1) - 1) }
    }

    /// The status history of an appointment, oldest first.
    public func events(appointmentID: String) throws -> [String] {
        try wrap {
            try statement("SELECT coalesce(from_status, '') || '→' || to_status FROM appointment_events WHERE appointment_id = ? ORDER BY id")
                .map([appointmentID]) { $0.text(0) }
        }
    }
}

/// An email to send, as the booking flow composes it (RFC 5322 headers are added when it is
/// delivered). Never carries health details.
public struct OutgoingMail: Equatable, Sendable {
    public var kind: String
    public var recipient: String
    public var subject: String
    public var body: String

    public init(kind: String, recipient: String, subject: String, body: String) {
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
    }
}

extension MentorDatabase {
    func enqueue(_ mail: OutgoingMail, appointmentID: String?, now: String) throws {
        try statement("INSERT INTO outbox (created_at, kind, appointment_id, recipient, subject, body) VALUES (?, ?, ?, ?, ?, ?)")
            .run([now, mail.kind, appointmentID, mail.recipient, mail.subject, mail.body])
    }
}

/// One line of `mentorsite appointments`: what a mentor needs to run the session.
public struct AppointmentListing: Equatable, Sendable {
    public var id: String
    public var mentorSlug: String
    public var start: String
    public var localDate: String
    public var localStart: String
    public var timezone: String
    public var minutes: Int
    public var type: String
    public var status: String
    public var patientName: String
    public var patientEmail: String
    public var patientPhone: String?
}

extension MentorDatabase {
    /// Appointments ordered by start, optionally for one mentor and from an instant on.
    public func listAppointments(mentorSlug: String?, from: Int?) throws -> [AppointmentListing] {
        var conditions: [String] = []
        var parameters: [any SQLBindable] = []
        if let mentorSlug {
            conditions.append("m.slug = ?")
            parameters.append(mentorSlug)
        }
        if let from {
            conditions.append("a.starts_at >= ?")
            parameters.append(from)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try wrap {
            try connection.query("""
                SELECT a.id, m.slug, a.starts_at, a.local_date, a.local_start, a.mentor_timezone, (a.ends_at - a.starts_at) / 60,
                       a.appointment_type, a.status, coalesce(a.patient_name, p.name), p.email, coalesce(a.patient_phone, p.phone)
                FROM appointments a JOIN mood_mentor_profiles m ON m.id = a.mentor_id JOIN patients p ON p.id = a.patient_id
                \(filter) ORDER BY a.starts_at, a.id
                """, parameters) { row in
                AppointmentListing(id: row.text(0), mentorSlug: row.text(1), start: Timestamp.format(secondsSinceEpoch: row.int(2)),
                                   localDate: row.text(3), localStart: row.text(4), timezone: row.text(5), minutes: row.int(6),
                                   type: row.text(7), status: row.text(8), patientName: row.text(9), patientEmail: row.text(10),
                                   patientPhone: row.optionalText(11))
            }
        }
    }
}

extension MentorDatabase {
    /// Counts one attempt against `key` in the current fixed window. Returns the seconds to
    /// wait when the limit was already reached (the attempt is then not counted).
    public func rateLimit(_ key: String, limit: Int, window: Int, now: Int) throws -> Int? {
        let start = now - now % window
        return try wrap {
            try connection.writeTransaction { () throws -> Int? in
                let count = try connection.scalarInt("SELECT count FROM rate_limits WHERE key = ? AND window_start = ?", key, start) ?? 0
                if count >= limit { return start + window - now }
                try countAttempt(key, windowStart: start, window: window)
                return nil
            }
        }
    }

    /// Adds one attempt to `key`'s window; old windows are of no use, and a few are dropped
    /// on every write.
    func countAttempt(_ key: String, windowStart: Int, window: Int) throws {
        try statement("""
            INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1
            """).run([key, windowStart])
        try statement("DELETE FROM rate_limits WHERE rowid IN (SELECT rowid FROM rate_limits WHERE window_start < ? LIMIT 20)").run([windowStart - window])
    }
}

extension MentorDatabase {
    /// Blocks a date from the mentor dashboard (kept across imports). False when the date
    /// was already blocked.
    public func blockDate(mentorID: String, date: CalendarDate, reason: String?) throws -> Bool {
        try wrap {
            try connection.writeTransaction {
                try connection.run("INSERT OR IGNORE INTO mentor_blocked_dates (mentor_id, date, reason, source) VALUES (?, ?, ?, 'dashboard')",
                                   mentorID, date.description, reason)
                return connection.changes == 1
            }
        }
    }

    /// Live appointments of a mentor from `from` on, with the patient's contact and notes.
    public func upcomingAppointments(mentorID: String, from: Int) throws -> [(appointment: Appointment, name: String, email: String, phone: String?, notes: String?)] {
        try wrap {
            try connection.query("""
                SELECT \(WebText.join(Self.appointmentColumns.split(separator: ",").map { "a." + WebText.trimmed($0) }, separator: ", ")),
                       p.name, p.email, p.phone, a.notes
                FROM appointments a JOIN patients p ON p.id = a.patient_id
                WHERE a.mentor_id = ? AND a.ends_at > ? AND a.status IN ('pending', 'scheduled')
                ORDER BY a.starts_at
                """, [mentorID, from]) { row in
                let appointment = readAppointment(row)
                return (appointment, appointment.patientName ?? row.text(18), row.text(19), appointment.patientPhone ?? row.optionalText(20), row.optionalText(21))
            }
        }
    }
}
