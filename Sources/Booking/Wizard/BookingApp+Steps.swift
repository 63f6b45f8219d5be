import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

extension BookingApp {
    // MARK: Step 1: specialty

    func showSpecialty(_ request: CGIRequest) throws -> CGIResponse {
        let choices = try choices(request.query, needs: [])
        if choices.mentor.profile.allSpecialties.count <= 1 { return redirect("/type", choices.query) }
        return withSession(request) { csrf in
            pages.render("booking/specialty", step: 1, title: "What would you like to talk about?", choices: choices, csrf: csrf, extra: [
                "specialties": .list(zip(choices.mentor.profile.allSpecialties, HTML.elementIDs(choices.mentor.profile.allSpecialties, prefix: "specialty-")).map {
                    ["name": .text($0), "id": .text($1), "checked": .flag($0 == choices.specialty)]
                }),
            ])
        }
    }

    func chooseSpecialty(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let choices = try choices(request.form, needs: ["specialty"])
        return redirect("/type", choices.query)
    }

    // MARK: Step 2: appointment type

    func showType(_ request: CGIRequest) throws -> CGIResponse {
        let choices = try choices(request.query, needs: [])
        return withSession(request) { csrf in
            pages.render("booking/type", step: 2, title: "How would you like to meet?", choices: choices, csrf: csrf, extra: [
                "types": .list(AppointmentType.allCases.map { ["value": .text($0.rawValue), "label": .text($0.label), "checked": .flag($0 == (choices.type ?? .video))] }),
            ])
        }
    }

    func chooseType(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let choices = try choices(request.form, needs: ["specialty", "type"])
        return redirect("/time", choices.query)
    }

    // MARK: Step 3: date and time

    func showTime(_ request: CGIRequest, errors: [String: String] = [:], status: HTTPStatus = .ok) throws -> CGIResponse {
        let fields = request.method == .post ? request.form : request.query
        let choices = try choices(fields, needs: ["type"])
        // Two weeks at a time, from today up to the booking horizon.
        let today = choices.zone.local(now).date
        let lastDay = choices.zone.local(now + settings.rules.horizonDays * 86_400).date
        var first = today
        if let text = fields["from"], !text.isEmpty {
            guard let date = CalendarDate(text) else { throw BookingError(.badRequest, "from must be a real date YYYY-MM-DD.") }
            first = min(max(date, today), lastDay)
        } else if let start = choices.start {
            first = max(choices.zone.local(start).date, today)
        }
        let shown = settings.daysShown
        let slots = try freeSlots(choices, from: first, days: shown)
        let days = slotDays(slots, choices: choices)
        let previous = first > today ? max(first.adding(days: -shown), today) : nil
        let next = first.adding(days: shown) <= lastDay ? first.adding(days: shown) : nil
        let timeURL = pages.url("/time")
        let pageURL = { (date: CalendarDate) in timeURL + "?" + choices.query + "&from=" + date.description }
        var zones = Formatting.commonZones
        for zone in [choices.zone.identifier, choices.patientZone.identifier] where !zones.contains(zone) { zones.append(zone) }
        let offsetNow = ZoneRules.describe(offset: choices.zone.offset(at: now))
        // A signed-in patient books from this page: their details come from their last
        // booking, so notes (and text reminders) are all that is left to ask.
        let patient = try signedInPatient(request)
        return withSession(request) { csrf in
            var response = pages.render("booking/time", step: 3, title: "Choose a date and time", choices: choices, csrf: csrf, errors: errors, extra: [
                "days": .list(days),
                "has_slots": .flag(!slots.isEmpty),
                "range": .text(Formatting.shortDay(first) + " – " + Formatting.shortDay(first.adding(days: shown - 1))),
                // Changing the zone keeps the dates the patient paged to.
                "has_from": .flag(first != today),
                "from": .text(first.description),
                "has_earlier": .flag(previous != nil),
                "earlier_url": .text(previous.map(pageURL) ?? ""),
                "has_later": .flag(next != nil),
                "later_url": .text(next.map(pageURL) ?? ""),
                "has_late_slots": .flag(slots.contains { isLate($0.start) }),
                "window_hours": .text(String(settings.cancellationWindow / 3600)),
                "mentor_zone": .text(choices.zone.identifier),
                "mentor_offset": .text(offsetNow),
                "zones": .list(zones.sorted().map { ["name": .text($0), "selected": .flag($0 == choices.patientZone.identifier)] }),
                "quick": .flag(patient != nil),
                "quick_name": .text(patient?.name ?? ""),
                "notes": .text(request.method == .post ? request.form["notes"] ?? "" : ""),
                "sms_enabled": .flag(!config.smsCommand.isEmpty),
                "sms": .flag(request.method == .post && request.form["sms"] == "yes"),
            ])
            response.status = status
            return response
        }
    }

    /// Free slots grouped by the mentor's local day, for a radio group per day.
    func slotDays(_ slots: [Slot], choices: Choices) -> [TemplateValue] {
        // Runs of one local day (slots come in time order).
        var days: [(date: CalendarDate, slots: [Slot])] = []
        for slot in slots {
            if days.last?.date == slot.localDate { days[days.count - 1].slots.append(slot) } else { days.append((slot.localDate, [slot])) }
        }
        return days.map { date, slots -> TemplateValue in
            [
                "label": .text(Formatting.day(date)),
                "slots": .list(slots.map { slot -> TemplateValue in
                    // Sized for all seven keys at once: growing a dictionary rehashes it.
                    var value = [String: TemplateValue](minimumCapacity: 8)
                    value["value"] = .text(String(slot.start))
                    value["mentor_time"] = .text(slot.localStart.description)
                    value["offset"] = .text(ZoneRules.describe(offset: slot.offset))
                    value["checked"] = .flag(slot.start == choices.start)
                    value["id"] = .text("slot-\(slot.start)")
                    value["late"] = .flag(isLate(slot.start))
                    value.setOptional("patient_time", choices.patientZone.identifier == choices.zone.identifier ? nil
                                      : Formatting.patientTime(slot.start, in: choices.patientZone, mentorDate: slot.localDate))
                    return .object(value)
                }),
            ]
        }
    }

    func chooseTime(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        let choices = try choices(request.form, needs: ["type"])
        guard let start = choices.start else {
            return try showTime(request, errors: ["start": "Choose a time from the list."], status: .unprocessable)
        }
        if let problem = try slotProblem(start, choices) {
            return try showTime(request, errors: ["start": problem.message], status: problem.status)
        }
        if request.form["quick"] == "1", let patient = try signedInPatient(request) {
            let known = try quickDetails(patient)
            let fields = FormData(["name": known.name, "email": patient.email, "phone": known.phone ?? "",
                                   "notes": request.form["notes"] ?? "", "sms": request.form["sms"] ?? ""])
            switch PatientDetails.validate(fields) {
            case .failure(let errors):
                // Only notes and the reminder choice were typed here; a stored detail that
                // no longer passes sends the patient to the details step.
                if errors.messages.keys.allSatisfy({ $0 == "notes" || $0 == "phone" }) {
                    return try showTime(request, errors: errors.messages, status: .unprocessable)
                }
                return redirect("/details", choices.query)
            case .success(let details):
                return try saveDetails(details, choices: choices, request: request)
            }
        }
        return redirect("/details", choices.query)
    }
}
