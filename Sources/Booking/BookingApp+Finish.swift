import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore
import TemplateEngine

extension BookingApp {
    // MARK: Step 5: payment

    func draftChoices(_ request: CGIRequest) throws -> (draft: [String: String], choices: Choices) {
        guard let draft = try loadDraft(request), let query = draft["query"] else {
            throw BookingError(.badRequest, "Your booking session has expired. Please choose a time again from the mentor's page.")
        }
        let fields = try FormData(urlEncoded: Array(query.utf8))
        return (draft, try choices(fields, needs: ["type", "start"]))
    }

    func showPayment(_ request: CGIRequest, error: String? = nil) throws -> CGIResponse {
        let (draft, choices) = try draftChoices(request)
        return withSession(request) { csrf in
            var extra: [String: TemplateValue] = [
                "summary": .object(summary(choices)),
                "idempotency": .text(draft["idempotency"] ?? ""),
                "test_provider": .flag(payment.isTestProvider),
                "patient_name": .text(draft["name"] ?? ""),
                "patient_email": .text(draft["email"] ?? ""),
            ]
            extra.setOptional("payment_error", error)
            var response = pages.render("booking/payment", step: 5, title: "Payment", choices: choices, csrf: csrf,
                                        errors: error.map { ["card": $0] } ?? [:], extra: extra)
            if error != nil { response.status = .unprocessable }
            return response
        }
    }

    func pay(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        // A repeated submit of a form that already booked returns that booking (the first
        // answer may never have reached the browser), even after its draft is gone.
        if let key = request.form["idempotency"], RandomToken.isWellFormed(key), let booked = try database.appointment(idempotencyKey: key) {
            return try finished(booked, key: key, request: request)
        }
        let (draft, choices) = try draftChoices(request)
        guard let start = choices.start, let key = request.form["idempotency"], key == draft["idempotency"] else {
            throw BookingError(.badRequest, "This payment form is out of date. Please reload the page.")
        }
        let email = draft["email"] ?? ""
        let limits = [("ip:" + request.remoteAddress, settings.attemptsPerAddress), ("email:" + email, settings.attemptsPerEmail)]
        var reference: String?
        if let price = choices.mentor.profile.hourlyRate?.forSession(minutes: choices.mentor.profile.sessionMinutes) {
            let card = CardInput(number: request.form["card_number"] ?? "", expiry: request.form["card_expiry"] ?? "", cvc: request.form["card_cvc"] ?? "")
            if let problem = card.problem { return try showPayment(request, error: problem) }
            switch try authorizeOnce(key: key, amountMinor: price.minorUnits, currency: price.currency, card: card, limits: limits) {
            case .authorized(let ref): reference = ref
            case .declined(let message): return try showPayment(request, error: message)
            case .booked(let appointment): return try finished(appointment, key: key, request: request)
            }
        } else {
            // Limits stored in SQLite, so they hold across processes: 429 past them.
            for (limitKey, limit) in limits {
                if let wait = try database.rateLimit(limitKey, limit: limit, window: 3600, now: now) { throw tooMany(wait) }
            }
        }
        let patient = try signedInPatient(request)
        let manageToken = manageToken(forForm: key)
        let booking = BookingRequest(
            mentorID: choices.mentor.id, specialty: choices.specialty, appointmentType: (choices.type ?? .video).rawValue, start: start,
            patientName: draft["name"] ?? "", patientEmail: email, patientPhone: draft["phone"].flatMap { $0.isEmpty ? nil : $0 },
            patientTimezone: choices.patientZone.identifier, notes: draft["notes"].flatMap { $0.isEmpty ? nil : $0 },
            idempotencyKey: key, patientVerified: patient?.email == email, paymentReference: reference, manageTokenHash: RandomToken.digest(manageToken))
        do {
            let result = try database.book(booking, rules: settings.rules, holdSeconds: settings.holdSeconds, now: now) { appointment, mentor in
                try mails(for: appointment, mentor: mentor, patientName: booking.patientName, email: email, manageToken: manageToken)
            }
            if result.created {
                try database.wrap { try database.connection.run("DELETE FROM booking_drafts WHERE id = ?", request.cookies["bk_draft"] ?? "") }
            }
            return try finished(result.appointment, key: key, request: request)
        } catch let failure as BookingFailure {
            // The booking did not happen: the authorisation is released at once.
            if let reference { voidAuthorization(reference, reason: failure.reason) }
            switch failure {
            case .mentorUnavailable:
                throw BookingError(.notFound, "\(choices.mentor.profile.name) is not taking online bookings right now.")
            case .slotTaken(let nearest):
                return conflictPage(request, choices: choices, nearest: nearest)
            }
        }
    }

    func tooMany(_ wait: Int) -> BookingError {
        BookingError(.tooManyRequests, "Too many booking attempts. Please try again in \(max(1, wait / 60)) minutes.", retryAfter: wait)
    }

    enum Authorization {
        case authorized(String)
        case declined(String)
        /// The form booked meanwhile (a concurrent submit finished first).
        case booked(Appointment)
    }

    /// Authorises a form's price at most once: the form's idempotency key is claimed in the
    /// database before the provider is called, and a concurrent submit of the same form
    /// waits for the first one's answer instead of calling the provider again.
    func authorizeOnce(key: String, amountMinor: Int, currency: String, card: CardInput, limits: [(String, Int)]) throws -> Authorization {
        let claim = try database.claimPayment(idempotencyKey: key, provider: payment.name, amountMinor: amountMinor, currency: currency,
                                              now: now, limits: limits.map { (key: $0.0, limit: $0.1) })
        switch claim {
        case .limited(let wait):
            throw tooMany(wait)
        case .authorized(let record):
            if let id = record.appointmentID, let appointment = try database.appointment(id: id) { return .booked(appointment) }
            // Authorised by a request that then stopped before booking: book with it.
            return .authorized(record.reference ?? "")
        case .claimed:
            switch payment.authorize(amountMinor: amountMinor, currency: currency, card: card, idempotencyKey: key) {
            case .success(let reference):
                try database.recordAuthorization(idempotencyKey: key, result: .authorized(reference: reference), now: now)
                return .authorized(reference)
            case .failure(let declined):
                try database.recordAuthorization(idempotencyKey: key, result: .declined(message: declined.message), now: now)
                return .declined(declined.message)
            }
        case .inProgress:
            return try awaitOtherSubmit(key: key)
        }
    }

    /// Another request of the same form holds the claim: wait (up to ten seconds) for its
    /// outcome and answer with it, never calling the provider a second time.
    func awaitOtherSubmit(key: String) throws -> Authorization {
        for _ in 0..<100 {
            usleep(100_000)
            if let booked = try database.appointment(idempotencyKey: key) { return .booked(booked) }
            switch try database.payment(idempotencyKey: key)?.status {
            case .declined?:
                return .declined(try database.payment(idempotencyKey: key)?.detail ?? "The payment was declined.")
            case .voided?:
                throw BookingError(.conflict, "That time was just taken. Please go back and choose another time.")
            default:
                continue
            }
        }
        throw BookingError(.unavailable, "Your payment is still being processed. Please wait a moment and reload this page.", retryAfter: 5)
    }

    /// Asks the provider to release an authorisation and records it; a failure is noted and
    /// `mentorsite mail`'s sweep tries again.
    func voidAuthorization(_ reference: String, reason: String) {
        do {
            try payment.void(reference: reference, reason: reason)
            try database.recordVoid(reference: reference, reason: reason, now: now)
        } catch {
            Files.writeStandardError("mentorsite-cgi: could not void payment \(reference): \(error)\n")
            try? database.recordVoidFailure(reference: reference, message: "\(error)", now: now)
        }
    }

    /// The manage link's token for a booking form: an HMAC of the form's idempotency key, so
    /// that a repeated submit of the form (a double click whose first answer the browser
    /// dropped) leads to the same booking page. Only its SHA-256 is stored.
    func manageToken(forForm key: String) -> String {
        SignedToken.mac(purpose: "manage", message: key, key: self.key)
    }

    /// The answer to a payment form that booked: the confirmation step, with the cookie that
    /// shows it in this browser.
    func finished(_ appointment: Appointment, key: String, request: CGIRequest) throws -> CGIResponse {
        var response = redirect("/done")
        let done = SignedToken.sign(purpose: "done", subject: appointment.id + " " + manageToken(forForm: key), expires: now + 24 * 3600, key: self.key)
        response.headers.append((name: "Set-Cookie", value: Cookie(name: "bk_done", value: done, path: cookiePath, maxAge: 24 * 3600, secure: secureCookies(request)).headerValue))
        return response
    }

    func conflictPage(_ request: CGIRequest, choices: Choices, nearest: [Slot]) -> CGIResponse {
        withSession(request) { csrf in
            var response = pages.render("booking/conflict", step: 3, title: "That time was just taken", choices: choices, csrf: csrf, extra: [
                "nearest": .list(nearest.map { slot -> TemplateValue in
                    var next = choices
                    next.start = slot.start
                    return ["label": .text(Formatting.instant(slot.start, in: choices.zone)), "url": .text(pages.url("/details") + "?" + next.query)]
                }),
                "has_nearest": .flag(!nearest.isEmpty),
                "time_url": .text(pages.url("/time") + "?" + choices.query),
            ])
            response.status = .conflict
            return response
        }
    }

    /// The mails a new booking sends: a confirmation link for a new address, or the
    /// booking itself. No notes or other health details ever go into mail.
    func mails(for appointment: Appointment, mentor: Mentor, patientName: String, email: String, manageToken: String) throws -> [OutgoingMail] {
        let zone = try Self.patientZone(appointment)
        let when = Formatting.instantAndZone(appointment.start, in: zone)
        if appointment.status == "pending" {
            let token = SignedToken.sign(purpose: "confirm", subject: appointment.id, expires: appointment.holdExpiresAt ?? now, key: key)
            let link = pages.absoluteURL("/confirm") + "?token=" + token
            return [OutgoingMail(kind: "confirm", recipient: email, subject: "Confirm your session with \(mentor.profile.name)", body: """
                Hello \(patientName),

                please confirm your session with \(mentor.profile.name) on \(when).
                We hold this time for you until \(Formatting.time(appointment.holdExpiresAt ?? now, in: zone)) (\(zone.identifier)).

                Open this link and press "Confirm my booking":
                \(link)

                If you did not ask for this, ignore this email and the time is released.
                """)]
        }
        return [try bookedMail(appointment, mentorName: mentor.profile.name, patientName: patientName, email: email, manageToken: manageToken)]
            + mentorNotice(.booked, appointment, mentor: mentor, patientName: patientName)
    }

    enum Notice: String {
        case booked, cancelled, rescheduled
    }

    /// What the mentor hears about a scheduled, cancelled or moved session, when their
    /// content file gives an `email`. The patient's name only: contact details stay on the
    /// dashboard behind the web server's login, and no notes go into mail.
    func mentorNotice(_ notice: Notice, _ appointment: Appointment, mentor: Mentor, patientName: String, previousStart: Int? = nil) -> [OutgoingMail] {
        guard let address = mentor.profile.email, let zone = ZoneRules(identifier: appointment.mentorTimezone) else { return [] }
        let type = AppointmentType(rawValue: appointment.appointmentType)?.label.lowercased() ?? "session"
        let when = Formatting.instantAndZone(appointment.start, in: zone)
        let lines: String
        let subject: String
        switch notice {
        case .booked:
            subject = "New session: \(Formatting.subjectTime(appointment.start, in: zone))"
            lines = "\(patientName) booked a \(type) with you on \(when)."
        case .cancelled:
            subject = "Cancelled: \(Formatting.subjectTime(appointment.start, in: zone))"
            lines = "\(patientName) cancelled the \(type) on \(when). The time is free again."
        case .rescheduled:
            subject = "Moved: \(Formatting.subjectTime(appointment.start, in: zone))"
            let before = previousStart.map { " from " + Formatting.instant($0, in: zone) } ?? ""
            lines = "\(patientName) moved the \(type)\(before) to \(when)."
        }
        return [OutgoingMail(kind: "mentor-" + notice.rawValue, recipient: address, subject: subject, body: """
            Hello \(mentor.profile.name),

            \(lines)

            Contact details and your upcoming sessions: \(pages.absoluteURL("/dashboard"))
            """)]
    }

    func bookedMail(_ appointment: Appointment, mentorName: String, patientName: String, email: String, manageToken: String?) throws -> OutgoingMail {
        let mentorZone = try Self.mentorZone(appointment)
        let zone = try Self.patientZone(appointment)
        var body = """
            Hello \(patientName),

            your \(AppointmentType(rawValue: appointment.appointmentType)?.label.lowercased() ?? "session") with \(mentorName) is booked for
            \(Formatting.instantAndZone(appointment.start, in: zone)).
            """
        if zone.identifier != mentorZone.identifier {
            body += "\nIn \(mentorName)'s time zone: \(Formatting.instantAndZone(appointment.start, in: mentorZone))."
        }
        if let manageToken {
            body += "\n\nView, add to your calendar or cancel:\n\(pages.absoluteURL("/manage"))?token=\(manageToken)"
        }
        return OutgoingMail(kind: "booked", recipient: email, subject: "Booked: \(mentorName), \(Formatting.subjectTime(appointment.start, in: zone))", body: body)
    }

    /// The zone an appointment was booked in. Missing only when the system's time zone
    /// database went away: a 503, never a crash.
    static func mentorZone(_ appointment: Appointment) throws(BookingError) -> ZoneRules {
        guard let zone = ZoneRules(identifier: appointment.mentorTimezone) else {
            Files.writeStandardError("mentorsite-cgi: no zone rules for \(appointment.mentorTimezone): \(TimeZones.databaseProblem ?? "unknown zone")\n")
            throw BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 300)
        }
        return zone
    }

    /// The zone the patient chose while booking (the mentor's when they chose none): what
    /// every time meant for the patient is written in, with its name.
    static func patientZone(_ appointment: Appointment) throws(BookingError) -> ZoneRules {
        if let name = appointment.patientTimezone, name != appointment.mentorTimezone, let zone = ZoneRules(identifier: name) { return zone }
        return try mentorZone(appointment)
    }

    // MARK: Step 6: confirmation

    func showDone(_ request: CGIRequest) throws -> CGIResponse {
        guard let cookie = request.cookies["bk_done"], let claims = try? SignedToken.verify(cookie, purpose: "done", now: now, key: key) else {
            throw BookingError(.notFound, "There is no recent booking in this browser. Your confirmation email has the details.")
        }
        let parts = claims.subject.split(separator: " ")
        guard parts.count == 2, let appointment = try database.wrap({ try database.appointment(id: String(parts[0])) }),
              let mentor = try database.mentors(ids: [appointment.mentorID]).first
        else { throw BookingError(.notFound, "We could not find that booking.") }
        return try pages.confirmation(appointment, mentor: mentor, manageToken: String(parts[1]), now: now)
    }

    func appointmentFromConfirmToken(_ fields: FormData) throws -> Appointment {
        guard let token = fields["token"] else { throw BookingError(.badRequest, "This confirmation link is incomplete. Please open the link from your email again.") }
        let claims: SignedToken.Claims
        do {
            claims = try SignedToken.verify(token, purpose: "confirm", now: now, key: key)
        } catch {
            throw BookingError(.badRequest, "This confirmation link has expired or is not valid. The time is released; please book again from the mentor's page.")
        }
        guard let appointment = try database.wrap({ try database.appointment(id: claims.subject) }) else {
            throw BookingError(.notFound, "We could not find that booking.")
        }
        return appointment
    }

    /// GET only shows a button: mail scanners open every link, people press buttons.
    func showConfirm(_ request: CGIRequest) throws -> CGIResponse {
        let appointment = try appointmentFromConfirmToken(request.query)
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        return try withSession(request) { csrf in
            try pages.confirmPage(appointment, mentor: mentor, token: request.query["token"] ?? "", csrf: csrf, now: now)
        }
    }

    func confirm(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let appointment = try appointmentFromConfirmToken(request.form)
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        let manageToken = RandomToken.generate()
        let patient = try patientContact(appointment)
        let confirmed = try database.confirm(appointmentID: appointment.id, now: now, manageTokenHash: RandomToken.digest(manageToken)) { confirmed in
            [try bookedMail(confirmed, mentorName: mentor.profile.name, patientName: patient.name, email: patient.email, manageToken: manageToken)]
                + mentorNotice(.booked, confirmed, mentor: mentor, patientName: patient.name)
        }
        guard let confirmed else {
            if appointment.status == "scheduled" {
                throw BookingError(.conflict, "This booking is already confirmed. Your booking email has the details.")
            }
            if appointment.status == "pending", (appointment.holdExpiresAt ?? 0) <= now {
                // The hold ran out unconfirmed: mark it so, and release the payment now
                // rather than at the next sweep.
                try database.expireHolds(now: now)
                try releasePayment(of: appointment.id, reason: "hold expired")
            }
            throw BookingError(.conflict, "This booking can no longer be confirmed: the hold expired or it was cancelled. Please book again from the mentor's page.")
        }
        var response = redirect("/done")
        let done = SignedToken.sign(purpose: "done", subject: confirmed.id + " " + manageToken, expires: now + 24 * 3600, key: key)
        response.headers.append((name: "Set-Cookie", value: Cookie(name: "bk_done", value: done, path: cookiePath, maxAge: 24 * 3600, secure: secureCookies(request)).headerValue))
        let signIn = SignedToken.sign(purpose: "patient", subject: confirmed.patientID, expires: now + 90 * 86_400, key: key)
        response.headers.append((name: "Set-Cookie", value: Cookie(name: "bk_patient", value: signIn, path: cookiePath, maxAge: 90 * 86_400, secure: secureCookies(request)).headerValue))
        return response
    }

    /// Whom to write about an appointment: the name typed for this booking, at the
    /// patient's address.
    func patientContact(_ appointment: Appointment) throws -> (name: String, email: String) {
        let found = try database.wrap {
            try database.connection.query("SELECT name, email FROM patients WHERE id = ?", [appointment.patientID]) { (name: $0.text(0), email: $0.text(1)) }.first
        }
        guard let found else { throw BookingError(.notFound, "We could not find that booking.") }
        return (appointment.patientName ?? found.name, found.email)
    }

    /// Voids the authorisation of an appointment that will not take place, if it has one.
    func releasePayment(of appointmentID: String, reason: String) throws {
        if let record = try database.payment(appointmentID: appointmentID), record.status == .authorized, let reference = record.reference {
            voidAuthorization(reference, reason: reason)
        }
    }

    // MARK: Manage

    func appointmentFromManageToken(_ fields: FormData) throws -> Appointment {
        guard let token = fields["token"], RandomToken.isWellFormed(token),
              let appointment = try database.appointment(manageTokenHash: RandomToken.digest(token))
        else { throw BookingError(.notFound, "This manage link is not valid. Your latest booking email has a working one.") }
        guard appointment.end + 7 * 86_400 > now else { throw BookingError(.notFound, "This manage link has expired: the session is over.") }
        return appointment
    }

    func showManage(_ request: CGIRequest, message: String? = nil) throws -> CGIResponse {
        let appointment = try appointmentFromManageToken(request.method == .post ? request.form : request.query)
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        let token = (request.method == .post ? request.form : request.query)["token"] ?? ""
        return try withSession(request) { csrf in
            try pages.managePage(appointment, mentor: mentor, token: token, csrf: csrf, canCancel: ["pending", "scheduled"].contains(appointment.status)
                             && appointment.start - now >= settings.cancellationWindow, window: settings.cancellationWindow, message: message,
                             rescheduleURL: pages.url("/reschedule") + "?token=" + token, now: now)
        }
    }

    func cancel(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let appointment = try appointmentFromManageToken(request.form)
        guard request.form["action"] == "cancel" else { throw BookingError(.badRequest, "Unknown action.") }
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        let patient = try patientContact(appointment)
        let cancelled = try database.cancel(appointmentID: appointment.id, window: settings.cancellationWindow, now: now) { cancelled in
            let zone = try Self.patientZone(cancelled)
            let patientMail = OutgoingMail(kind: "cancelled", recipient: patient.email, subject: "Cancelled: \(mentor.profile.name), \(Formatting.subjectTime(cancelled.start, in: zone))", body: """
                Hello \(patient.name),

                your session with \(mentor.profile.name) on \(Formatting.instantAndZone(cancelled.start, in: zone)) is cancelled.
                You can book another time on \(mentor.profile.name)'s page whenever you like.
                """)
            // A pending hold was never announced to the mentor, so its end is not either.
            return [patientMail] + (appointment.status == "scheduled" ? mentorNotice(.cancelled, cancelled, mentor: mentor, patientName: patient.name) : [])
        }
        if cancelled != nil { try releasePayment(of: appointment.id, reason: "cancelled by patient") }
        guard cancelled != nil else {
            throw BookingError(.conflict, appointment.status == "cancelled" ? "This session is already cancelled."
                               : "This session starts in less than \(settings.cancellationWindow / 3600) hours and can no longer be cancelled online. Please contact your mentor.")
        }
        return try showManage(request, message: "Your session is cancelled. The time is free for others again.")
    }

    func showReschedule(_ request: CGIRequest, error: String? = nil, status: HTTPStatus = .ok) throws -> CGIResponse {
        let fields = request.method == .post ? request.form : request.query
        let appointment = try appointmentFromManageToken(fields)
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first, let zone = ZoneRules(identifier: appointment.mentorTimezone) else {
            throw BookingError(.notFound, "We could not find that booking.")
        }
        guard ["pending", "scheduled"].contains(appointment.status), appointment.start - now >= settings.cancellationWindow else {
            throw BookingError(.conflict, "This session can no longer be moved online (it is \(appointment.status), or starts within \(settings.cancellationWindow / 3600) hours).")
        }
        let patientZone = appointment.patientTimezone.flatMap(ZoneRules.init(identifier:)) ?? zone
        var choices = Choices(mentor: mentor, zone: zone, patientZone: patientZone)
        choices.start = appointment.start
        let slots = try freeSlots(choices, excluding: appointment.id).filter { $0.start != appointment.start }
        let token = fields["token"] ?? ""
        return try withSession(request) { csrf in
            var values = try pages.appointmentValues(appointment, mentor: mentor, now: now)
            values["title"] = "Move your session"
            values["days"] = .list(slotDays(slots, choices: choices))
            values["has_slots"] = .flag(!slots.isEmpty)
            values["has_late_slots"] = .flag(slots.contains { isLate($0.start) })
            values["window_hours"] = .text(String(settings.cancellationWindow / 3600))
            values["csrf"] = .text(csrf)
            values["token"] = .text(token)
            values["action"] = .text(pages.url("/reschedule"))
            values["manage_url"] = .text(pages.url("/manage") + "?token=" + token)
            values["has_errors"] = .flag(error != nil)
            values["errors"] = .list(error.map { [["field": "start", "message": .text($0)]] } ?? [])
            values.setOptional("error_start", error)
            return pages.page("booking/reschedule", title: "Move your session", status: status, values: values)
        }
    }

    func reschedule(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let appointment = try appointmentFromManageToken(request.form)
        guard let text = request.form["start"], let start = Int(plainDigits: text), isWithinHorizon(start) else {
            return try showReschedule(request, error: "Choose a new time from the list.", status: .unprocessable)
        }
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        let patient = try patientContact(appointment)
        do {
            let moved = try database.reschedule(appointmentID: appointment.id, to: start, window: settings.cancellationWindow, rules: settings.rules, now: now) { moved in
                var mail = try bookedMail(moved, mentorName: mentor.profile.name, patientName: patient.name, email: patient.email, manageToken: nil)
                mail.kind = "rescheduled"
                mail.subject = "Moved: \(mentor.profile.name), \(Formatting.subjectTime(moved.start, in: try Self.patientZone(moved)))"
                return [mail] + (moved.status == "scheduled"
                    ? mentorNotice(.rescheduled, moved, mentor: mentor, patientName: patient.name, previousStart: appointment.start) : [])
            }
            guard let moved else {
                throw BookingError(.conflict, "This session can no longer be moved online. Please contact your mentor.")
            }
            return try showManage(request, message: "Your session is moved to \(Formatting.instant(moved.start, in: try Self.mentorZone(moved))).")
        } catch BookingFailure.slotTaken {
            return try showReschedule(request, error: "That time is no longer free. Choose another one.", status: .conflict)
        } catch BookingFailure.mentorUnavailable {
            throw BookingError(.notFound, "\(mentor.profile.name) is not taking online bookings right now.")
        }
    }

    func calendar(_ request: CGIRequest) throws -> CGIResponse {
        let appointment = try appointmentFromManageToken(request.query)
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else { throw BookingError(.notFound, "We could not find that booking.") }
        let event = ICalendar.Event(appointment: appointment, mentorName: mentor.profile.name, siteName: config.siteName,
                                    host: URL(string: config.baseURL)?.host ?? "localhost", organizer: config.contactEmail,
                                    sequence: try database.changeCount(appointmentID: appointment.id), now: now)
        return CGIResponse(status: .ok, contentType: "text/calendar; charset=utf-8" + (event.isCancelled ? "; method=CANCEL" : "; method=PUBLISH"),
                           body: Array(ICalendar.file(event).utf8),
                           headers: [("Content-Disposition", "attachment; filename=\"session.ics\"")])
    }

    // MARK: Slots JSON

    /// `GET …/slots?mentor=<slug>&from=YYYY-MM-DD&days=N`: free slots for scripts and for
    /// "next available" on profile pages.
    func slotsJSON(_ request: CGIRequest) throws -> CGIResponse {
        let choices = try choices(request.query, needs: [])
        var from: CalendarDate?
        if let text = request.query["from"] {
            guard let date = CalendarDate(text) else { throw BookingError(.badRequest, "from must be a real date YYYY-MM-DD.") }
            from = date
        }
        // No free slot lies before today or past the horizon: dates out there are never
        // computed (a date in year 9999 once crashed the zone arithmetic).
        let today = choices.zone.local(now).date
        let lastDay = choices.zone.local(now + settings.rules.horizonDays * 86_400).date
        if let date = from, date < today { from = today }
        var days = 14
        if let text = request.query["days"] {
            guard let value = Int(plainDigits: text, maxDigits: 3), (1...62).contains(value) else {
                throw BookingError(.badRequest, "days must be a whole number from 1 to 62.")
            }
            days = value
        }
        let slots = (from ?? today) > lastDay ? [] : try freeSlots(choices, from: from, days: days)
        var json = "{\"mentor\":\(WebText.jsonString(choices.mentor.slug)),\"timezone\":\(WebText.jsonString(choices.zone.identifier)),\"session_minutes\":\(choices.mentor.profile.sessionMinutes),\"slots\":["
        json += WebText.join(slots.map { slot in
            "{\"start\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: slot.start))),\"end\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: slot.end))),\"local_date\":\"\(slot.localDate)\",\"local_time\":\"\(slot.localStart)\",\"utc_offset\":\(WebText.jsonString(ZoneRules.describe(offset: slot.offset)))}"
        }, separator: ",")
        json += "]}\n"
        return CGIResponse(status: .ok, contentType: "application/json", body: Array(json.utf8))
    }
}
