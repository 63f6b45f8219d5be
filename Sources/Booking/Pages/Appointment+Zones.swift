import MentorCore
import MentorStore

extension Appointment {
    /// The zone the session was booked in. Missing only when the system's time zone
    /// database went away: a 503, never a crash.
    func mentorZone() throws(BookingError) -> ZoneRules {
        guard let zone = ZoneRules(identifier: mentorTimezone) else {
            Files.writeStandardError("mentorsite-cgi: no zone rules for \(mentorTimezone): \(TimeZones.databaseProblem ?? "unknown zone")\n")
            throw BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 300)
        }
        return zone
    }

    /// The zone the patient chose while booking (the mentor's when they chose none): what
    /// every time meant for the patient is written in, with its name.
    func patientZone() throws(BookingError) -> ZoneRules {
        if let patientTimezone, patientTimezone != mentorTimezone, let zone = ZoneRules(identifier: patientTimezone) { return zone }
        return try mentorZone()
    }
}
