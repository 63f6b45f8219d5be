import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore
import MentorStore
import TemplateEngine

/// Step 5: payment, claimed once per form, and the booking transaction.
extension BookingApp {
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
        var booking = BookingRequest(
            mentorID: choices.mentor.id, specialty: choices.specialty, appointmentType: choices.type ?? .video, start: start,
            patientName: draft["name"] ?? "", patientEmail: email, patientPhone: draft["phone"].flatMap { $0.isEmpty ? nil : $0 },
            patientTimezone: choices.patientZone.identifier, notes: draft["notes"].flatMap { $0.isEmpty ? nil : $0 },
            idempotencyKey: key, patientVerified: patient?.email == email, paymentReference: reference, manageTokenHash: RandomToken.digest(manageToken))
        booking.smsConsent = draft["sms"] == "yes"
        do {
            let pattern = config.meetingURLPattern
            let result = try database.book(booking, rules: settings.rules, holdSeconds: settings.holdSeconds, now: now,
                                           meetingLink: { Joining.link(for: $0, pattern: pattern) }) { appointment, mentor in
                try mails.forNewBooking(appointment, mentor: mentor, patientName: booking.patientName, email: email, manageToken: manageToken)
            }
            if result.created {
                try database.deleteDraft(id: request.cookies["bk_draft"] ?? "")
                if result.appointment.status == .scheduled { settlePayment(of: result.appointment.id) }
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

    /// Makes an appointment's payment match it now (captured once booked; released or
    /// refunded by the policy once cancelled or expired). A provider that fails is noted,
    /// and `mentorsite mail` tries again; the patient's answer does not wait for it.
    func settlePayment(of appointmentID: String) {
        do {
            try PaymentSettlement(database: database, provider: payment, now: now).run(appointmentID: appointmentID) { line in
                if line.contains("not settled") { Files.writeStandardError("mentorsite-cgi: \(line)\n") }
            }
        } catch {
            Files.writeStandardError("mentorsite-cgi: could not settle the payment of \(appointmentID): \(error)\n")
        }
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
        response.headers.append(doneCookie(appointment, manageToken: manageToken(forForm: key), request: request))
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
}
