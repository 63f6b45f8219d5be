import MentorCore

/// What a report reads of one appointment: no patient, notes or contact details.
public struct ReportAppointment: Equatable, Sendable {
    public var mentorID: String
    public var specialty: String?
    public var type: String
    public var status: String
    public var start: Int
    public var end: Int
    /// Unix seconds of the booking.
    public var createdAt: Int
    public var mentorTimezone: String
    public var localDate: String
    public var localStart: String
}

extension MentorDatabase {
    /// Appointments that start in [from, to); holds that ran out by `now` are left out (they
    /// were never booked), whether or not `mentorsite mail` has marked them expired yet.
    public func reportAppointments(from: Int, to: Int, now: Int) throws -> [ReportAppointment] {
        try wrap {
            try connection.query("""
                SELECT mentor_id, specialty, appointment_type, status, starts_at, ends_at, unixepoch(created_at), mentor_timezone, local_date, local_start
                FROM appointments WHERE starts_at >= ? AND starts_at < ? AND status <> 'expired'
                  AND NOT (status = 'pending' AND hold_expires_at <= ?)
                ORDER BY starts_at, id
                """, [from, to, now]) {
                ReportAppointment(mentorID: $0.text(0), specialty: $0.optionalText(1), type: $0.text(2), status: $0.text(3), start: $0.int(4),
                                  end: $0.int(5), createdAt: $0.int(6), mentorTimezone: $0.text(7), localDate: $0.text(8), localStart: $0.text(9))
            }
        }
    }

    /// Every mentor with whole profiles (hours and blocked dates), listed or not: a report
    /// counts the sessions of mentors who left too.
    public func reportMentors() throws -> [Mentor] {
        try wrap { try loadMentors(includingInactive: true) }
    }
}
