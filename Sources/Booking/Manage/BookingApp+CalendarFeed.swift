import FoundationEssentials
import MentorCore
import MentorStore

/// `/dashboard/calendar.ics?token=…`: a mentor's private feed for calendar apps, which poll
/// it without a cookie: every session of the last 90 days and ahead (a cancelled one marked
/// so, for apps to drop it), with the patient's name only (no contact details, notes or
/// topics).
extension BookingApp {
    func calendarFeed(_ request: CGIRequest) throws -> CGIResponse {
        guard let token = request.query["token"], RandomToken.isWellFormed(token),
              let mentorID = try database.token(.calendarFeed, digest: RandomToken.digest(token))?.mentorID,
              let mentor = try database.mentors(ids: [mentorID]).first
        else {
            throw BookingError(.notFound, "This calendar address does not work any more. Make a new one on your dashboard.")
        }
        let sessions = try database.feedSessions(mentorID: mentor.id, since: now - 90 * 86_400)
        let events = try sessions.map { session in
            ICalendar.Event(appointment: session.appointment, summary: "\(session.appointment.appointmentType.label): \(session.name)",
                            siteName: config.siteName, host: calendarHost, organizer: config.contactEmail,
                            sequence: try database.changeCount(appointmentID: session.appointment.id), now: now)
        }
        var response = CGIResponse(status: .ok, contentType: "text/calendar; charset=utf-8",
                                   body: Array(ICalendar.feed(events, name: "\(config.siteName): \(mentor.profile.name)").utf8))
        response.headers.append(("Content-Disposition", "inline; filename=\"sessions.ics\""))
        return response
    }
}
