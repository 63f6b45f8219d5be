import FoundationEssentials
import MentorCore
import TemplateEngine

extension BookingApp {
    /// The mentor whose slug or email is `REMOTE_USER`: the web server authenticates (as CGI
    /// intends); without it the dashboard answers 401.
    func dashboardMentor(_ request: CGIRequest) throws -> Mentor {
        guard let user = request.remoteUser else {
            throw BookingError(.unauthorized, "The mentor dashboard needs you to sign in through the web server (REMOTE_USER is not set).")
        }
        let address = user.lowercased()
        let found = Slug.isValid(user) ? try database.activeMentor(slug: user)
            : EmailAddress.isValid(address) ? try database.activeMentor(email: address) : nil
        guard let mentor = found else {
            throw BookingError(.forbidden, "There is no active mentor for the signed-in user \(user.prefix(60)).")
        }
        return mentor
    }

    func showDashboard(_ request: CGIRequest, message: String? = nil, error: String? = nil) throws -> CGIResponse {
        let mentor = try dashboardMentor(request)
        let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:))
        let upcoming = try database.upcomingAppointments(mentorID: mentor.id, from: now)
        return withSession(request) { csrf in
            var values: [String: TemplateValue] = [
                "title": "Your upcoming sessions",
                "mentor": .text(mentor.profile.name),
                "csrf": .text(csrf),
                "action": .text(pages.url("/dashboard")),
                "has_appointments": .flag(!upcoming.isEmpty),
                "appointments": .list(upcoming.map { item -> TemplateValue in
                    var value: [String: TemplateValue] = [
                        "when": .text(zone.map { Formatting.instant(item.appointment.start, in: $0) } ?? Timestamp.format(secondsSinceEpoch: item.appointment.start)),
                        "type": .text(item.appointment.appointmentType.label),
                        "status": .text(item.appointment.status.rawValue),
                        "name": .text(item.name),
                        "email": .text(item.email),
                    ]
                    value.setOptional("phone", item.phone)
                    value.setOptional("notes", item.notes)
                    value.setOptional("specialty", item.appointment.specialty)
                    return .object(value)
                }),
                "blocked": .list((mentor.profile.blockedDates + mentor.dashboardBlockedDates).sorted { $0.date < $1.date }.map { item -> TemplateValue in
                    var value: [String: TemplateValue] = ["date": .text(Formatting.day(item.date))]
                    value.setOptional("reason", item.reason)
                    return .object(value)
                }),
                "has_errors": .flag(error != nil),
                "errors": .list(error.map { [["field": "date", "message": .text($0)]] } ?? []),
            ]
            values.setOptional("message", message)
            values.setOptional("error_date", error)
            return pages.page("booking/dashboard", title: "Dashboard", status: error == nil ? .ok : .unprocessable, values: values)
        }
    }

    func blockDate(_ request: CGIRequest) throws -> CGIResponse {
        let mentor = try dashboardMentor(request)
        try checkCSRF(request)
        guard let text = request.form["date"], let date = CalendarDate(text) else {
            return try showDashboard(request, error: "Enter a real date as YYYY-MM-DD.")
        }
        guard let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:)), date >= zone.local(now).date else {
            return try showDashboard(request, error: "Choose today or a later date.")
        }
        guard date <= zone.local(now).date.adding(days: 3 * 366) else {
            return try showDashboard(request, error: "Choose a date within the next three years.")
        }
        let reason = WebText.trimmingWhitespace(request.form["reason"] ?? "")
        guard reason.count <= 200 else { return try showDashboard(request, error: "Keep the reason under 200 characters.") }
        let added = try database.blockDate(mentorID: mentor.id, date: date, reason: reason.isEmpty ? nil : reason)
        let booked = try database.upcomingAppointments(mentorID: mentor.id, from: now).filter { $0.appointment.localDate == date.description }
        var message = added ? "\(Formatting.day(date)) is blocked: no new bookings on it." : "\(Formatting.day(date)) was already blocked."
        if !booked.isEmpty { message += " You still have \(booked.count) session(s) that day; contact those patients." }
        return try showDashboard(request, message: message)
    }
}
