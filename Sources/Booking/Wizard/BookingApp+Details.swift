import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

extension BookingApp {
    // MARK: Step 4: details

    /// The patient this browser is signed in as, when verified.
    func signedInPatient(_ request: CGIRequest) throws -> PatientRecord? {
        guard let account = try currentAccount(request), account.kind == .patient,
              let patient = try database.patient(id: account.id), patient.isVerified
        else { return nil }
        return patient
    }

    func showDetails(_ request: CGIRequest, form: FormData? = nil, errors: [String: String] = [:]) throws -> CGIResponse {
        let fields = form ?? request.query
        let choices = try choices(fields, needs: ["type", "start"])
        if let problem = try slotProblem(choices.start, choices) { throw problem }
        let patient = try signedInPatient(request)
        let draft = try loadDraft(request)
        let value = { (name: String) -> String in form?[name] ?? draft?[name] ?? "" }
        return withSession(request) { csrf in
            var response = pages.render("booking/details", step: 4, title: "Your details", choices: choices, csrf: csrf, errors: errors, extra: [
                "name": .text(value("name").isEmpty ? (patient?.name ?? "") : value("name")),
                "email": .text(value("email").isEmpty ? (patient?.email ?? "") : value("email")),
                "phone": .text(value("phone").isEmpty ? (patient?.phone ?? "") : value("phone")),
                "notes": .text(value("notes")),
                "sms_enabled": .flag(!config.smsCommand.isEmpty),
                "sms": .flag(value("sms") == "yes"),
                "signed_in": .flag(patient != nil),
                "summary": .object(summary(choices)),
            ])
            if !errors.isEmpty { response.status = .unprocessable }
            return response
        }
    }

    func submitDetails(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let choices = try choices(request.form, needs: ["type", "start"])
        switch PatientDetails.validate(request.form) {
        case .failure(let errors):
            return try showDetails(request, form: request.form, errors: errors.messages)
        case .success(let details):
            if let problem = try slotProblem(choices.start, choices) { throw problem }
            return try saveDetails(details, choices: choices, request: request)
        }
    }

    /// Keeps the patient's details in a draft (a cookie names it) and goes on to payment.
    func saveDetails(_ details: PatientDetails, choices: Choices, request: CGIRequest) throws -> CGIResponse {
        let (draftID, cookie) = draftID(request)
        let data: [String: String] = [
            "name": details.name, "email": details.email, "phone": details.phone ?? "", "notes": details.notes ?? "",
            "sms": details.sms && !config.smsCommand.isEmpty ? "yes" : "",
            "query": choices.query, "idempotency": RandomToken.generate(bytes: 16),
        ]
        try saveDraft(draftID, mentorID: choices.mentor.id, data: data)
        var response = redirect("/payment")
        if let cookie { response.headers.append((name: "Set-Cookie", value: cookie.headerValue)) }
        return response
    }

    /// A signed-in patient's details as their last booking had them (name and phone typed
    /// then), else as their record has them.
    func quickDetails(_ patient: PatientRecord) throws -> (name: String, phone: String?) {
        let last = try database.lastBookingDetails(patientID: patient.id)
        return (last?.name ?? patient.name, last?.phone ?? patient.phone)
    }

    // MARK: Drafts

    func draftID(_ request: CGIRequest) -> (String, Cookie?) {
        if let id = request.cookies["bk_draft"], RandomToken.isWellFormed(id) { return (id, nil) }
        let id = RandomToken.generate()
        return (id, Cookie(name: "bk_draft", value: id, path: cookiePath, maxAge: 2 * 3600, secure: secureCookies(request)))
    }

    func loadDraft(_ request: CGIRequest) throws -> [String: String]? {
        guard let id = request.cookies["bk_draft"] else { return nil }
        return try database.draft(id: id, now: now)
    }

    func saveDraft(_ id: String, mentorID: String, data: [String: String]) throws {
        try database.saveDraft(id: id, mentorID: mentorID, values: data, now: now, lifetime: 2 * 3600)
    }

    func summary(_ choices: Choices) -> [String: TemplateValue] {
        var value: [String: TemplateValue] = [
            "mentor": .text(choices.mentor.profile.name),
            "mentor_url": .text(URLs(config: config).mentor(choices.mentor.slug)),
            "minutes": .text(String(choices.mentor.profile.sessionMinutes)),
        ]
        value.setOptional("specialty", choices.specialty)
        value.setOptional("type", choices.type?.label)
        if let start = choices.start {
            value["mentor_time"] = .text(Formatting.instant(start, in: choices.zone) + " in " + choices.zone.identifier)
            value.setOptional("patient_time", choices.patientZone.identifier == choices.zone.identifier ? nil
                : Formatting.instant(start, in: choices.patientZone) + " in " + choices.patientZone.identifier)
        }
        value.setOptional("price", choices.mentor.profile.hourlyRate.map { $0.forSession(minutes: choices.mentor.profile.sessionMinutes).formatted })
        value["late"] = .flag(choices.start.map(isLate) ?? false)
        value["window_hours"] = .text(String(settings.cancellationWindow / 3600))
        return value
    }

    /// True for a start inside the cancellation window: bookable, but not cancellable or
    /// movable online, which the patient is told before paying.
    func isLate(_ start: Int) -> Bool {
        start - now < settings.cancellationWindow
    }
}
