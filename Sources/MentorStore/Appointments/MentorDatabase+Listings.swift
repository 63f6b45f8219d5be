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
