import FoundationEssentials
import MentorCore

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
    public var cancelledBy: String?
    /// The booking's payment, if it has one.
    public var payment: PaymentRecord?
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
            var payments: [String: PaymentRecord] = [:]
            try statement("SELECT \(Self.paymentColumns) FROM payments WHERE appointment_id IS NOT NULL ORDER BY id").forEach { row in
                let record = readPayment(row)
                if let id = record.appointmentID { payments[id] = record }
            }
            return try connection.query("""
                SELECT a.id, m.slug, a.starts_at, a.local_date, a.local_start, a.mentor_timezone, (a.ends_at - a.starts_at) / 60,
                       a.appointment_type, a.status, coalesce(a.patient_name, p.name), p.email, coalesce(a.patient_phone, p.phone), a.cancelled_by
                FROM appointments a JOIN mood_mentor_profiles m ON m.id = a.mentor_id JOIN patients p ON p.id = a.patient_id
                \(filter) ORDER BY a.starts_at, a.id
                """, parameters) { row in
                AppointmentListing(id: row.text(0), mentorSlug: row.text(1), start: Timestamp.format(secondsSinceEpoch: row.int(2)),
                                   localDate: row.text(3), localStart: row.text(4), timezone: row.text(5), minutes: row.int(6),
                                   type: row.text(7), status: row.text(8), patientName: row.text(9), patientEmail: row.text(10),
                                   patientPhone: row.optionalText(11), cancelledBy: row.optionalText(12))
            }.map { row in
                var row = row
                row.payment = payments[row.id]
                return row
            }
        }
    }
}

/// A mentor's session as the dashboard shows it: with the patient's contact details and
/// notes, which only the mentor ever sees.
public struct MentorSession: Equatable, Sendable {
    public var appointment: Appointment
    public var name: String
    public var email: String
    public var phone: String?
    public var notes: String?
}

/// A patient's session as `/sessions` shows it.
public struct PatientSession: Equatable, Sendable {
    public var appointment: Appointment
    public var mentorName: String
    public var mentorSlug: String
    public var mentorIsActive: Bool
}

extension MentorDatabase {
    static let prefixedAppointmentColumns = WebText.join(appointmentColumns.split(separator: ",").map { "a." + WebText.trimmed($0) }, separator: ", ")

    /// A mentor's sessions: the live ones that have not ended (`upcoming`), or every other
    /// one that started before `now` (`past`, newest first, at most `limit`).
    public func mentorSessions(mentorID: String, upcoming: Bool, now: Int, limit: Int = 500) throws -> [MentorSession] {
        let filter = upcoming ? "a.ends_at > ?2 AND a.status IN ('pending', 'scheduled') ORDER BY a.starts_at"
            : "a.starts_at <= ?2 AND a.status IN ('scheduled', 'completed', 'no_show', 'cancelled') ORDER BY a.starts_at DESC"
        return try wrap {
            try statement("""
                SELECT \(Self.prefixedAppointmentColumns), p.name, p.email, p.phone, a.notes
                FROM appointments a JOIN patients p ON p.id = a.patient_id
                WHERE a.mentor_id = ?1 AND \(filter) LIMIT ?3
                """).map([mentorID, now, limit]) { row in
                let appointment = readAppointment(row)
                return MentorSession(appointment: appointment, name: appointment.patientName ?? row.text(Self.appointmentColumnCount + 0), email: row.text(Self.appointmentColumnCount + 1),
                                     phone: appointment.patientPhone ?? row.optionalText(Self.appointmentColumnCount + 2), notes: row.optionalText(Self.appointmentColumnCount + 3))
            }
        }
    }

    /// What a mentor's calendar feed lists: every session starting from `since` on, booked,
    /// held, done or cancelled (so that calendar apps drop a cancelled one), in time order.
    public func feedSessions(mentorID: String, since: Int) throws -> [MentorSession] {
        try wrap {
            try statement("""
                SELECT \(Self.prefixedAppointmentColumns), p.name, p.email, p.phone, a.notes
                FROM appointments a JOIN patients p ON p.id = a.patient_id
                WHERE a.mentor_id = ? AND a.starts_at >= ? AND a.status IN ('pending', 'scheduled', 'completed', 'no_show', 'cancelled')
                ORDER BY a.starts_at
                """).map([mentorID, since]) { row in
                let appointment = readAppointment(row)
                return MentorSession(appointment: appointment, name: appointment.patientName ?? row.text(Self.appointmentColumnCount + 0), email: row.text(Self.appointmentColumnCount + 1),
                                     phone: appointment.patientPhone ?? row.optionalText(Self.appointmentColumnCount + 2), notes: row.optionalText(Self.appointmentColumnCount + 3))
            }
        }
    }

    /// Live sessions of a mentor from `from` on, with the patient's contact and notes.
    public func upcomingAppointments(mentorID: String, from: Int) throws -> [MentorSession] {
        try mentorSessions(mentorID: mentorID, upcoming: true, now: from)
    }

    /// A mentor's sessions on one of their local dates.
    public func sessions(mentorID: String, localDates: [String]) throws -> [MentorSession] {
        try mentorSessions(mentorID: mentorID, upcoming: true, now: 0, limit: 100_000).filter { localDates.contains($0.appointment.localDate) }
    }

    /// A mentor's session by id, and nothing for another mentor's.
    public func mentorSession(mentorID: String, appointmentID: String) throws -> Appointment? {
        try wrap {
            try statement("SELECT \(Self.appointmentColumns) FROM appointments WHERE id = ? AND mentor_id = ?").map([appointmentID, mentorID], readAppointment).first
        }
    }

    /// Every session of a patient that was booked or held, newest first.
    public func patientSessions(patientID: String) throws -> [PatientSession] {
        try wrap {
            try statement("""
                SELECT \(Self.prefixedAppointmentColumns), m.name, m.slug, m.is_active
                FROM appointments a JOIN mood_mentor_profiles m ON m.id = a.mentor_id
                WHERE a.patient_id = ? AND a.status <> 'expired'
                ORDER BY a.starts_at DESC
                """).map([patientID]) { row in
                PatientSession(appointment: readAppointment(row), mentorName: row.text(Self.appointmentColumnCount + 0), mentorSlug: row.text(Self.appointmentColumnCount + 1), mentorIsActive: row.int(Self.appointmentColumnCount + 2) == 1)
            }
        }
    }
}
