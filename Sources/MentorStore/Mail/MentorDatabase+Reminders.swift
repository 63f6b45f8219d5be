import MentorCore

/// A session a reminder is due for, with who to remind.
public struct DueReminder: Sendable {
    public var appointment: Appointment
    public var minutesBefore: Int
    public var mentor: Mentor
    public var patientName: String
    public var patientEmail: String
}

/// Reminders before sessions, queued in the outbox by `mentorsite mail`. Each (session,
/// offset, start time) is recorded in `appointment_reminders` in the same transaction as
/// its messages, so it is queued exactly once however many runs overlap; a moved session
/// has a new start time, so it gets new reminders, and messages not yet sent for the old
/// time are dropped when it moves or is cancelled.
extension MentorDatabase {

    /// Queues the reminders due at `now`. A reminder `m` minutes before a session is due
    /// from `m` minutes before its start until `m / 2` minutes before (so a run that comes
    /// late still sends it, but a 24-hour reminder is never sent two hours before); when
    /// several are due, only the nearest to the start is sent.
    /// - Parameter offsets: minutes before the start.
    /// - Returns: how many reminders were queued (one per session and offset).
    @discardableResult
    public func queueDueReminders(now: Int, offsets: [Int], compose: (DueReminder) throws -> [OutgoingMail]) throws -> Int {
        guard let longest = offsets.max(), !offsets.isEmpty else { return 0 }
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> Int in
                let candidates = try statement("""
                    SELECT \(Self.prefixedAppointmentColumns), p.name, p.email FROM appointments a JOIN patients p ON p.id = a.patient_id
                    WHERE a.status = 'scheduled' AND a.starts_at > ?1 AND a.starts_at <= ?1 + ?2 ORDER BY a.starts_at
                    """).map([now, longest * 60]) { row in
                    (readAppointment(row), row.text(Self.appointmentColumnCount), row.text(Self.appointmentColumnCount + 1))
                }
                let record = try statement("INSERT OR IGNORE INTO appointment_reminders (appointment_id, minutes_before, starts_at, queued_at) VALUES (?, ?, ?, ?)")
                var queued = 0
                for (appointment, name, email) in candidates {
                    let due = offsets.filter { offset in
                        appointment.start - offset * 60 <= now && now < appointment.start - offset * 30
                    }
                    guard let offset = due.min() else { continue }
                    try record.run([appointment.id, offset, appointment.start, stamp])
                    guard connection.changes == 1, let mentor = try mentors(ids: [appointment.mentorID]).first else { continue }
                    let reminder = DueReminder(appointment: appointment, minutesBefore: offset, mentor: mentor,
                                               patientName: appointment.patientName ?? name, patientEmail: email)
                    for message in try compose(reminder) { try enqueue(message, appointmentID: appointment.id, now: stamp) }
                    queued += 1
                }
                return queued
            }
        }
    }

    /// Drops reminders not yet sent of a session that moved or was cancelled (inside its
    /// transaction). One being sent at this moment (claimed) goes out.
    func dropUnsentReminders(appointmentID: String, now: Int) throws {
        try statement("""
            DELETE FROM outbox WHERE appointment_id = ? AND kind IN ('reminder', 'mentor-reminder', 'reminder-sms')
            AND sent_at IS NULL AND coalesce(claimed_until, 0) <= ?
            """).run([appointmentID, now])
    }

    /// The reminders queued for a session: (minutes before, start time).
    public func reminders(appointmentID: String) throws -> [(minutesBefore: Int, start: Int)] {
        try wrap {
            try statement("SELECT minutes_before, starts_at FROM appointment_reminders WHERE appointment_id = ? ORDER BY starts_at, minutes_before DESC")
                .map([appointmentID]) { ($0.int(0), $0.int(1)) }
        }
    }
}
