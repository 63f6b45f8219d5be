import FoundationEssentials
import MentorCore

extension MentorDatabase {
    /// Status changes go through here so that history is always recorded.
    func recordEvent(_ appointmentID: String, from: AppointmentStatus?, to: AppointmentStatus, detail: String? = nil, now: String) throws {
        try statement("INSERT INTO appointment_events (appointment_id, at, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?)")
            .run([appointmentID, now, from, to, detail])
        for type in WebhookEventType.types(from: from, to: to) {
            try queueAppointmentWebhook(type, appointmentID: appointmentID, stamp: now)
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
                guard let current = try appointment(id: appointmentID), current.status.isLive,
                      current.start - now >= window, current.status != .pending || (current.holdExpiresAt ?? 0) > now
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
                try recordEvent(current.id, from: current.status, to: .rescheduled,
                                detail: "from \(current.localDate) \(current.localStart) to \(slot.localDate) \(slot.localStart) (\(zone.identifier))", now: stamp)
                guard let moved = try appointment(id: current.id) else { return nil }
                try dropUnsentReminders(appointmentID: moved.id, now: now)
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
    /// - Parameter meetingLink: the session's join link, from the mentor (their own room, or
    ///   one made for this session).
    public func book(_ request: BookingRequest, rules: BookingRules, holdSeconds: Int, now: Int, meetingLink: (Mentor) -> String? = { _ in nil },
                     mail: (Appointment, Mentor) throws -> [OutgoingMail]) throws -> (appointment: Appointment, created: Bool) {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> (Appointment, Bool) in
                if let existing = try appointment(idempotencyKey: request.idempotencyKey) { return (existing, false) }
                // A unique index cannot see time: expired holds are marked first, inside the lock.
                try expireHolds(mentorID: request.mentorID, now: now, stamp: stamp)
                guard let mentor = try mentors(ids: [request.mentorID]).first, mentor.isActive, !mentor.isPaused,
                      let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:)), !mentor.profile.availability.isEmpty
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
                let status: AppointmentStatus = request.patientVerified ? .scheduled : .pending
                let price = mentor.profile.hourlyRate?.forSession(minutes: mentor.profile.sessionMinutes)
                let appointment = Appointment(
                    id: UUID().uuidString.lowercased(), mentorID: mentor.id, patientID: patientID, specialty: request.specialty,
                    appointmentType: request.appointmentType, start: slot.start, end: slot.end, mentorTimezone: zone.identifier,
                    localDate: slot.localDate.description, localStart: slot.localStart.description, utcOffset: slot.offset,
                    patientTimezone: request.patientTimezone, status: status, holdExpiresAt: status == .pending ? now + holdSeconds : nil,
                    priceMinor: price?.minorUnits, currency: price?.currency, patientName: request.patientName, patientPhone: request.patientPhone,
                    meetingLink: meetingLink(mentor), smsConsent: request.smsConsent && request.patientPhone != nil)
                try statement("""
                    INSERT INTO appointments (id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone,
                        local_date, local_start, utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency,
                        payment_reference, notes, idempotency_key, manage_token_hash, created_at, updated_at, patient_name, patient_phone,
                        meeting_link, sms_consent)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).run([appointment.id, appointment.mentorID, patientID, appointment.specialty, appointment.appointmentType,
                              appointment.start, appointment.end, appointment.mentorTimezone, appointment.localDate, appointment.localStart,
                              appointment.utcOffset, appointment.patientTimezone, appointment.status, appointment.holdExpiresAt,
                              appointment.priceMinor, appointment.currency, request.paymentReference, request.notes,
                              request.idempotencyKey, request.manageTokenHash, stamp, stamp, request.patientName, request.patientPhone,
                              appointment.meetingLink, appointment.smsConsent])
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
                try recordEvent(appointmentID, from: .pending, to: .scheduled, detail: "confirmed by email", now: stamp)
                for message in try mail(appointment) { try enqueue(message, appointmentID: appointmentID, now: stamp) }
                return appointment
            }
        }
    }

    /// Cancels a live appointment (pending or scheduled) at least `window` seconds before it
    /// starts (a mentor may cancel up to the start: window 0), recording who and why, and
    /// what its payment keeps (`keepMinor`, the policy's fee; the rest is released or
    /// refunded). Returns nil when it was not live or the window has passed.
    public func cancel(appointmentID: String, by canceller: Canceller, reason: String?, window: Int, keepMinor: Int = 0, now: Int,
                       mail: (Appointment) throws -> [OutgoingMail]) throws -> Appointment? {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Appointment? in
                guard let before = try appointment(id: appointmentID) else { return nil }
                try statement("""
                    UPDATE appointments SET status = 'cancelled', cancelled_by = ?, cancel_reason = ?, updated_at = ?
                    WHERE id = ? AND status IN ('pending', 'scheduled') AND starts_at - ? >= ?
                    """).run([canceller.rawValue, reason, stamp, appointmentID, now, window])
                guard connection.changes == 1, let after = try appointment(id: appointmentID) else { return nil }
                try dropUnsentReminders(appointmentID: appointmentID, now: now)
                try statement("UPDATE payments SET keep_minor = ?, updated_at = ? WHERE appointment_id = ?").run([keepMinor, stamp, appointmentID])
                try recordEvent(appointmentID, from: before.status, to: .cancelled, detail: "cancelled by \(canceller.rawValue)" + (reason.map { ": " + $0 } ?? ""), now: stamp)
                for message in try mail(after) { try enqueue(message, appointmentID: appointmentID, now: stamp) }
                return after
            }
        }
    }

    /// Records how a scheduled session that has started went: completed or a no-show.
    /// Nil when it is not a scheduled session that has begun.
    public func recordOutcome(appointmentID: String, mentorID: String, outcome: AppointmentStatus, now: Int) throws -> Appointment? {
        precondition(outcome == .completed || outcome == .noShow, "an outcome is completed or no-show")
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Appointment? in
                try statement("UPDATE appointments SET status = ?, updated_at = ? WHERE id = ? AND mentor_id = ? AND status = 'scheduled' AND starts_at <= ?")
                    .run([outcome, stamp, appointmentID, mentorID, now])
                guard connection.changes == 1 else { return nil }
                try recordEvent(appointmentID, from: .scheduled, to: outcome, now: stamp)
                return try appointment(id: appointmentID)
            }
        }
    }

    static let appointmentColumns = """
        id, mentor_id, patient_id, specialty, appointment_type, starts_at, ends_at, mentor_timezone, local_date, local_start,
        utc_offset, patient_timezone, status, hold_expires_at, price_minor, currency, patient_name, patient_phone,
        meeting_link, sms_consent, cancelled_by
        """
    /// How many columns `appointmentColumns` has: queries that select more read them after.
    static let appointmentColumnCount: Int32 = 21

    func readAppointment(_ row: SQLiteRow) -> Appointment {
        Appointment(id: row.text(0), mentorID: row.text(1), patientID: row.text(2), specialty: row.optionalText(3),
                    appointmentType: AppointmentType(rawValue: row.text(4)) ?? .video, start: row.int(5), end: row.int(6), mentorTimezone: row.text(7),
                    localDate: row.text(8), localStart: row.text(9), utcOffset: row.int(10), patientTimezone: row.optionalText(11),
                    // The table's CHECK admits only these values.
                    status: AppointmentStatus(rawValue: row.text(12)) ?? .cancelled, holdExpiresAt: row.optionalInt(13), priceMinor: row.optionalInt(14), currency: row.optionalText(15),
                    patientName: row.optionalText(16), patientPhone: row.optionalText(17), meetingLink: row.optionalText(18),
                    smsConsent: row.int(19) == 1, cancelledBy: row.optionalText(20).flatMap(Canceller.init(rawValue:)))
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
