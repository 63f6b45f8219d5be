import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// The mentor dashboard: who is signed in (by emailed link, or `REMOTE_USER` where the web
/// server authenticates), the profile's completeness with a guide, the pause switch, the
/// sessions with the patients' contact details and their actions, and the calendar feed.
/// A mentor reaches only their own profile, hours and sessions: every query names them.
extension BookingApp {
    /// The signed-in mentor, and how to name them in the audit.
    func dashboardMentor(_ request: CGIRequest) throws -> (mentor: Mentor, actor: String) {
        if let user = request.remoteUser {
            let address = user.lowercased()
            let found = Slug.isValid(user) ? try database.activeMentor(slug: user)
                : EmailAddress.isValid(address) ? try database.activeMentor(email: address) : nil
            guard let found, let mentor = try database.mentor(id: found.id) else {
                throw BookingError(.forbidden, "There is no active mentor for the signed-in user \(user.prefix(60)).")
            }
            return (mentor, "remote-user:" + mentor.slug)
        }
        guard let account = try currentAccount(request) else {
            // A person not signed in is sent to sign in; a form posted from elsewhere is refused.
            guard request.method != .post else { throw BookingError(.forbidden, "Sign in first: this form is for signed-in mentors.") }
            throw BookingError(.seeOther, "Sign in to see your dashboard.", location: pages.url("/sign-in"))
        }
        guard account.kind == .mentor, let mentor = try database.mentor(id: account.id), mentor.isActive else {
            throw BookingError(.forbidden, "The dashboard is for mentors. You are signed in as a patient: your sessions are on your own page.")
        }
        return (mentor, "mentor:" + mentor.slug)
    }

    func showDashboard(_ request: CGIRequest, message: String? = nil, error: (field: String, message: String)? = nil, feedURL: String? = nil,
                       apiToken: String? = nil) throws -> CGIResponse {
        let (mentor, _) = try dashboardMentor(request)
        let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:))
        let upcoming = try database.mentorSessions(mentorID: mentor.id, upcoming: true, now: now)
        let past = try database.mentorSessions(mentorID: mentor.id, upcoming: false, now: now, limit: 50)
        let completeness = Completeness(mentor.profile)
        let feedCreated = try database.tokenCreated(.calendarFeed, mentorID: mentor.id)
        let tokenCreated = try database.tokenCreated(.api, mentorID: mentor.id)
        return withSession(request) { csrf in
            var values: [String: TemplateValue] = [
                "title": "Your dashboard",
                "mentor": .text(mentor.profile.name),
                "mentor_url": .text(pages.paths.mentor(mentor.slug)),
                "csrf": .text(csrf),
                "action": .text(pages.url("/dashboard")),
                "profile_url": .text(pages.url("/dashboard/profile")),
                "hours_url": .text(pages.url("/dashboard/hours")),
                "sign_out_url": .text(pages.url("/sign-out")),
                "signed_in": .flag(request.remoteUser == nil),
                "paused": .flag(mentor.isPaused),
                "percent": .text(String(completeness.percent)),
                "complete": .flag(completeness.missingParts.isEmpty),
                "missing": .list(completeness.missingParts.map { ["label": .text($0.label), "why": .text($0.why)] }),
                "has_upcoming": .flag(!upcoming.isEmpty),
                "upcoming": .list(upcoming.map { sessionValues($0, zone: zone, actions: .upcoming) }),
                "has_past": .flag(!past.isEmpty),
                "past": .list(past.map { sessionValues($0, zone: zone, actions: .past) }),
                "has_feed": .flag(feedCreated != nil),
                "feed_created": .text(feedCreated.map { String($0.prefix(10)) } ?? ""),
                "has_api_token": .flag(tokenCreated != nil),
                "api_token_created": .text(tokenCreated.map { String($0.prefix(10)) } ?? ""),
                "api_url": .text(pages.absoluteURL("/api/appointments")),
                "has_errors": .flag(error != nil),
                "errors": .list(error.map { [["field": .text($0.field), "message": .text($0.message)]] } ?? []),
            ]
            values.setOptional("message", message)
            values.setOptional("feed_url", feedURL)
            values.setOptional("new_api_token", apiToken)
            if let error { values["error_" + error.field] = .text(error.message) }
            return pages.page("booking/dashboard", title: "Dashboard", status: error == nil ? .ok : .unprocessable, values: values)
        }
    }

    enum SessionActions { case upcoming, past }

    func sessionValues(_ session: MentorSession, zone: ZoneRules?, actions: SessionActions) -> TemplateValue {
        let appointment = session.appointment
        var value: [String: TemplateValue] = [
            "id": .text(appointment.id),
            "when": .text(zone.map { Formatting.instant(appointment.start, in: $0) } ?? Timestamp.format(secondsSinceEpoch: appointment.start)),
            "type": .text(appointment.appointmentType.label),
            "status": .text(Self.statusLabel(appointment.status)),
            "name": .text(session.name),
            "email": .text(session.email),
            // Cancel any live session before it starts; say how a session that has begun went.
            "can_cancel": .flag(actions == .upcoming && appointment.start > now),
            "can_record": .flag(appointment.status == .scheduled && appointment.start <= now),
        ]
        value.setOptional("phone", session.phone)
        value.setOptional("notes", session.notes)
        value.setOptional("specialty", appointment.specialty)
        value.setOptional("join_url", actions == .upcoming ? Joining.link(of: appointment) : nil)
        return .object(value)
    }

    static func statusLabel(_ status: AppointmentStatus) -> String {
        switch status {
        case .pending: "held, waiting for the patient to confirm"
        case .scheduled: "booked"
        case .completed: "completed"
        case .noShow: "no-show"
        case .cancelled: "cancelled"
        case .rescheduled: "moved"
        case .expired: "hold expired"
        }
    }

    /// POST `/dashboard`: the pause switch, a session's cancellation or outcome, the feed.
    func dashboardAction(_ request: CGIRequest) throws -> CGIResponse {
        let (mentor, actor) = try dashboardMentor(request)
        try checkCSRF(request)
        switch request.form["action"] ?? "" {
        case "pause", "resume":
            let paused = request.form["action"] == "pause"
            _ = try database.setPaused(mentorID: mentor.id, paused, actor: actor, now: now)
            return try showDashboard(request, message: paused ? "Bookings are paused: your profile stays listed, and nobody can book a new session until you resume."
                                                                : "You are taking bookings again.")
        case "cancel":
            return try cancelAsMentor(request, mentor: mentor)
        case "completed", "no-show":
            guard let id = request.form["appointment"], let appointment = try database.mentorSession(mentorID: mentor.id, appointmentID: id) else {
                throw BookingError(.notFound, "We could not find that session among yours.")
            }
            let outcome: AppointmentStatus = request.form["action"] == "completed" ? .completed : .noShow
            guard try database.recordOutcome(appointmentID: appointment.id, mentorID: mentor.id, outcome: outcome, now: now) != nil else {
                throw BookingError(.conflict, "Only a booked session that has started can be marked completed or no-show.")
            }
            return try showDashboard(request, message: "The session of \(Formatting.instant(appointment.start, in: try appointment.mentorZone())) is marked \(Self.statusLabel(outcome)).")
        case "feed-create":
            let token = RandomToken.generate(bytes: 24)
            try database.replaceToken(.calendarFeed, mentorID: mentor.id, digest: RandomToken.digest(token), now: now)
            return try showDashboard(request, message: "Your calendar feed is ready. Add its address to your calendar app; it is shown only this once.",
                                     feedURL: pages.absoluteURL("/dashboard/calendar.ics") + "?token=" + token)
        case "feed-revoke":
            try database.revokeTokens(.calendarFeed, mentorID: mentor.id, now: now)
            return try showDashboard(request, message: "Your calendar feed address no longer works.")
        case "api-token-create":
            let token = Self.apiTokenPrefix + RandomToken.generate(bytes: 32)
            try database.replaceToken(.api, mentorID: mentor.id, digest: RandomToken.digest(token), now: now)
            return try showDashboard(request, message: "Your API token is ready. Copy it now: it is shown only this once, and any earlier token stopped working.",
                                     apiToken: token)
        case "api-token-revoke":
            try database.revokeTokens(.api, mentorID: mentor.id, now: now)
            return try showDashboard(request, message: "Your API token no longer works.")
        default:
            throw BookingError(.badRequest, "Unknown action.")
        }
    }

    /// A mentor cancels one of their sessions, for a reason the patient reads; the payment is
    /// voided and the patient offered to book again.
    func cancelAsMentor(_ request: CGIRequest, mentor: Mentor) throws -> CGIResponse {
        guard let id = request.form["appointment"], let appointment = try database.mentorSession(mentorID: mentor.id, appointmentID: id) else {
            throw BookingError(.notFound, "We could not find that session among yours.")
        }
        let reason = WebText.trimmingWhitespace(request.form["reason"] ?? "")
        guard !reason.isEmpty, reason.count <= 500, PlainText.problem(reason) == nil else {
            return try showDashboard(request, error: ("reason-\(id)", "Tell the patient why, in a few words (up to 500 characters)."))
        }
        let patient = try patientContact(appointment)
        let cancelled = try database.cancel(appointmentID: appointment.id, by: .mentor, reason: reason, window: 0, now: now) { cancelled in
            [try mails.cancelledByMentor(cancelled, mentor: mentor, patientName: patient.name, email: patient.email, reason: reason,
                                          bookAgain: pages.absoluteURL("") + "?mentor=" + mentor.slug)]
        }
        guard cancelled != nil else {
            throw BookingError(.conflict, "This session cannot be cancelled any more: it has started, or was cancelled already.")
        }
        settlePayment(of: appointment.id)
        return try showDashboard(request, message: "The session of \(Formatting.instant(appointment.start, in: try appointment.mentorZone())) is cancelled; \(patient.name) is emailed your reason.")
    }
}
