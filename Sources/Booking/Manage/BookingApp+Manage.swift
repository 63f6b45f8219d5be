import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// How a request reaches one booked session: the manage link's random token (from the
/// booking mail), or, for the patient signed in, the appointment's id.
struct ManageAccess {
    let field: String
    let value: String
    /// For a URL's query: `token=…` or `appointment=…`.
    var query: String { field + "=" + WebText.percentEncode(value) }
}

/// The manage link: a session's page, cancelling, moving it, and its calendar file.
extension BookingApp {
    func managed(_ request: CGIRequest) throws -> (Appointment, ManageAccess) {
        let fields = request.method == .post ? request.form : request.query
        if let token = fields["token"] {
            guard RandomToken.isWellFormed(token), let appointment = try database.appointment(manageTokenHash: RandomToken.digest(token)) else {
                throw BookingError(.notFound, "This manage link is not valid. Your latest booking email has a working one.")
            }
            guard appointment.end + 7 * 86_400 > now else { throw BookingError(.notFound, "This manage link has expired: the session is over.") }
            return (appointment, ManageAccess(field: "token", value: token))
        }
        guard let id = fields["appointment"], let account = try currentAccount(request), account.kind == .patient else {
            throw BookingError(.notFound, "This manage link is not valid. Sign in, or use the link in your latest booking email.")
        }
        // Another patient's id, or none: the same answer as an unknown one.
        guard let appointment = try database.appointment(id: id), appointment.patientID == account.id else {
            throw BookingError(.notFound, "We could not find that session among yours.")
        }
        return (appointment, ManageAccess(field: "appointment", value: id))
    }

    func showManage(_ request: CGIRequest, message: String? = nil) throws -> CGIResponse {
        let (appointment, access) = try managed(request)
        let mentor = try mentor(of: appointment)
        return try withSession(request) { csrf in
            try pages.managePage(appointment, mentor: mentor, access: access, csrf: csrf, canCancel: isChangeableOnline(appointment),
                                 window: settings.cancellationWindow, message: message, now: now)
        }
    }

    /// A live session outside the cancellation window: the patient may cancel or move it.
    func isChangeableOnline(_ appointment: Appointment) -> Bool {
        appointment.status.isLive && appointment.start - now >= settings.cancellationWindow
    }

    func cancel(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let (appointment, _) = try managed(request)
        guard request.form["action"] == "cancel" else { throw BookingError(.badRequest, "Unknown action.") }
        let mentor = try mentor(of: appointment)
        let patient = try patientContact(appointment)
        // Online, patients cancel only outside the window: nothing is kept.
        let paid = try database.payment(appointmentID: appointment.id)
        let cancelled = try database.cancel(appointmentID: appointment.id, by: .patient, reason: nil, window: settings.cancellationWindow, now: now) { cancelled in
            // A pending hold was never announced to the mentor, so its end is not either.
            [try mails.cancelled(cancelled, mentor: mentor, patientName: patient.name, email: patient.email,
                                 payment: PaymentSettlement.cancellationNote(paid, keepMinor: 0))]
                + (appointment.status == .scheduled ? try mails.mentorNotice(.mentorCancelled, cancelled, mentor: mentor, patientName: patient.name) : [])
        }
        if cancelled != nil { settlePayment(of: appointment.id) }
        guard cancelled != nil else {
            throw BookingError(.conflict, appointment.status == .cancelled ? "This session is already cancelled."
                               : "This session starts in less than \(settings.cancellationWindow / 3600) hours and can no longer be cancelled online. Please contact your mentor.")
        }
        return try showManage(request, message: "Your session is cancelled. The time is free for others again.")
    }

    func showReschedule(_ request: CGIRequest, error: String? = nil, status: HTTPStatus = .ok) throws -> CGIResponse {
        let (appointment, access) = try managed(request)
        let mentor = try mentor(of: appointment)
        let zone = try appointment.mentorZone()
        guard isChangeableOnline(appointment) else {
            throw BookingError(.conflict, "This session can no longer be moved online (it is \(appointment.status.rawValue), or starts within \(settings.cancellationWindow / 3600) hours).")
        }
        var choices = Choices(mentor: mentor, zone: zone, patientZone: try appointment.patientZone())
        choices.start = appointment.start
        let slots = try freeSlots(choices, excluding: appointment.id).filter { $0.start != appointment.start }
        return try withSession(request) { csrf in
            var values = try pages.appointmentValues(appointment, mentor: mentor, now: now)
            values["title"] = "Move your session"
            values["days"] = .list(slotDays(slots, choices: choices))
            values["has_slots"] = .flag(!slots.isEmpty)
            values["has_late_slots"] = .flag(slots.contains { isLate($0.start) })
            values["window_hours"] = .text(String(settings.cancellationWindow / 3600))
            values["csrf"] = .text(csrf)
            values["access_field"] = .text(access.field)
            values["access_value"] = .text(access.value)
            values["action"] = .text(pages.url("/reschedule"))
            values["manage_url"] = .text(pages.url("/manage") + "?" + access.query)
            values["has_errors"] = .flag(error != nil)
            values["errors"] = .list(error.map { [["field": "start", "message": .text($0)]] } ?? [])
            values.setOptional("error_start", error)
            return pages.page("booking/reschedule", title: "Move your session", status: status, values: values)
        }
    }

    func reschedule(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let (appointment, _) = try managed(request)
        guard let text = request.form["start"], let start = Int(plainDigits: text), isWithinHorizon(start) else {
            return try showReschedule(request, error: "Choose a new time from the list.", status: .unprocessable)
        }
        let mentor = try mentor(of: appointment)
        let patient = try patientContact(appointment)
        do {
            let moved = try database.reschedule(appointmentID: appointment.id, to: start, window: settings.cancellationWindow, rules: settings.rules, now: now) { moved in
                [try mails.rescheduled(moved, mentor: mentor, patientName: patient.name, email: patient.email)]
                    + (moved.status == .scheduled
                        ? try mails.mentorNotice(.mentorRescheduled, moved, mentor: mentor, patientName: patient.name, previousStart: appointment.start) : [])
            }
            guard let moved else {
                throw BookingError(.conflict, "This session can no longer be moved online. Please contact your mentor.")
            }
            return try showManage(request, message: "Your session is moved to \(Formatting.instant(moved.start, in: try moved.mentorZone())).")
        } catch BookingFailure.slotTaken {
            return try showReschedule(request, error: "That time is no longer free. Choose another one.", status: .conflict)
        } catch BookingFailure.mentorUnavailable {
            throw BookingError(.notFound, "\(mentor.profile.name) is not taking online bookings right now.")
        }
    }

    func calendar(_ request: CGIRequest) throws -> CGIResponse {
        let (appointment, _) = try managed(request)
        let event = ICalendar.Event(appointment: appointment, mentorName: try mentor(of: appointment).profile.name, siteName: config.siteName,
                                    host: calendarHost, organizer: config.contactEmail,
                                    sequence: try database.changeCount(appointmentID: appointment.id), now: now)
        return CGIResponse(status: .ok, contentType: "text/calendar; charset=utf-8" + (event.isCancelled ? "; method=CANCEL" : "; method=PUBLISH"),
                           body: Array(ICalendar.file(event).utf8),
                           headers: [("Content-Disposition", "attachment; filename=\"session.ics\"")])
    }

    /// The site's host, for calendar UIDs.
    var calendarHost: String { URL(string: config.baseURL)?.host ?? "localhost" }
}
