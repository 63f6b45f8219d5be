import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// Step 6: the confirmation page, and the emailed link that turns a held slot into a
/// booking and signs the patient in.
extension BookingApp {
    func showDone(_ request: CGIRequest) throws -> CGIResponse {
        guard let cookie = request.cookies["bk_done"], let claims = try? SignedToken.verify(cookie, purpose: "done", now: now, key: key) else {
            throw BookingError(.notFound, "There is no recent booking in this browser. Your confirmation email has the details.")
        }
        let parts = claims.subject.split(separator: " ")
        guard parts.count == 2, let appointment = try database.appointment(id: String(parts[0])) else {
            throw BookingError(.notFound, "We could not find that booking.")
        }
        return try pages.confirmation(appointment, mentor: mentor(of: appointment), manageToken: String(parts[1]), now: now)
    }

    /// The cookie that shows a booking's confirmation page in this browser for a day.
    func doneCookie(_ appointment: Appointment, manageToken: String, request: CGIRequest) -> (name: String, value: String) {
        let done = SignedToken.sign(purpose: "done", subject: appointment.id + " " + manageToken, expires: now + 24 * 3600, key: key)
        return ("Set-Cookie", Cookie(name: "bk_done", value: done, path: cookiePath, maxAge: 24 * 3600, secure: secureCookies(request)).headerValue)
    }

    func appointmentFromConfirmToken(_ fields: FormData) throws -> Appointment {
        guard let token = fields["token"] else { throw BookingError(.badRequest, "This confirmation link is incomplete. Please open the link from your email again.") }
        let claims: SignedToken.Claims
        do {
            claims = try SignedToken.verify(token, purpose: "confirm", now: now, key: key)
        } catch {
            throw BookingError(.badRequest, "This confirmation link has expired or is not valid. The time is released; please book again from the mentor's page.")
        }
        guard let appointment = try database.appointment(id: claims.subject) else {
            throw BookingError(.notFound, "We could not find that booking.")
        }
        return appointment
    }

    /// GET only shows a button: mail scanners open every link, people press buttons.
    func showConfirm(_ request: CGIRequest) throws -> CGIResponse {
        let appointment = try appointmentFromConfirmToken(request.query)
        let mentor = try mentor(of: appointment)
        return try withSession(request) { csrf in
            try pages.confirmPage(appointment, mentor: mentor, token: request.query["token"] ?? "", csrf: csrf, now: now)
        }
    }

    func confirm(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let appointment = try appointmentFromConfirmToken(request.form)
        let mentor = try mentor(of: appointment)
        let manageToken = RandomToken.generate()
        let patient = try patientContact(appointment)
        let confirmed = try database.confirm(appointmentID: appointment.id, now: now, manageTokenHash: RandomToken.digest(manageToken)) { confirmed in
            [try mails.booked(confirmed, mentor: mentor, patientName: patient.name, email: patient.email, manageToken: manageToken)]
                + (try mails.mentorNotice(.mentorBooked, confirmed, mentor: mentor, patientName: patient.name))
        }
        guard let confirmed else {
            if appointment.status == .scheduled {
                throw BookingError(.conflict, "This booking is already confirmed. Your booking email has the details.")
            }
            if appointment.status == .pending, (appointment.holdExpiresAt ?? 0) <= now {
                // The hold ran out unconfirmed: mark it so, and release the payment now
                // rather than at the next sweep.
                try database.expireHolds(now: now)
                settlePayment(of: appointment.id)
            }
            throw BookingError(.conflict, "This booking can no longer be confirmed: the hold expired or it was cancelled. Please book again from the mentor's page.")
        }
        settlePayment(of: confirmed.id)
        var response = redirect("/done")
        response.headers.append(doneCookie(confirmed, manageToken: manageToken, request: request))
        // Confirming from the mail shows the address is theirs: the patient is signed in.
        let sessionID = RandomToken.generate()
        try database.openPatientSession(patientID: confirmed.patientID, sessionHash: RandomToken.digest(sessionID), now: now,
                                        lifetime: Self.sessionLifetime[.patient] ?? 86_400)
        response.headers.append(accountCookie(sessionID: sessionID, kind: .patient, request: request))
        return response
    }

    /// Whom to write about an appointment: the name typed for this booking, at the
    /// patient's address.
    func patientContact(_ appointment: Appointment) throws -> (name: String, email: String) {
        guard let patient = try database.patient(id: appointment.patientID) else { throw BookingError(.notFound, "We could not find that booking.") }
        return (appointment.patientName ?? patient.name, patient.email)
    }
}
