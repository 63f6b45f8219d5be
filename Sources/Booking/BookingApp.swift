import FoundationEssentials
import MentorCore
import TemplateEngine

/// Settings of the booking flow, from `mentorsite.yml`'s `booking_*` keys.
public struct BookingSettings: Sendable {
    public var rules = BookingRules()
    public var holdSeconds = 30 * 60
    public var cancellationWindow = 24 * 3600
    public var daysShown = 14
    /// Booking attempts (payment submits) per hour from one address and for one email.
    public var attemptsPerAddress = 30
    public var attemptsPerEmail = 6

    public init(policy: BookingPolicy = BookingPolicy()) {
        rules = policy.rules
        holdSeconds = policy.holdMinutes * 60
        cancellationWindow = policy.cancellationHours * 3600
        attemptsPerAddress = policy.attemptsPerAddress
        attemptsPerEmail = policy.attemptsPerEmail
    }
}

/// The booking wizard behind the CGI: one request in, one response out. Every step is a
/// form: GET shows it, POST validates and answers 303 to the next step. Choices that are
/// not personal (mentor, specialty, type, slot, zone) travel in the query string; the
/// patient's details wait in a draft row keyed by a random cookie.
public final class BookingApp {
    let config: SiteConfig
    let settings: BookingSettings
    let key: SecretKey
    let database: MentorDatabase
    let pages: BookingPages
    let payment: any PaymentProvider
    let now: Int

    public convenience init(config: SiteConfig, settings: BookingSettings? = nil, key: SecretKey, database: MentorDatabase,
                payment: (any PaymentProvider)? = nil, now: Int) {
        self.init(config: config, settings: settings, key: key, database: database, payment: payment, now: now, pages: BookingPages(config: config))
    }

    /// With the pages the CGI already made for its error pages (they read and fingerprint
    /// the site's assets).
    init(config: SiteConfig, settings: BookingSettings? = nil, key: SecretKey, database: MentorDatabase,
         payment: (any PaymentProvider)? = nil, now: Int, pages: BookingPages) {
        self.config = config
        self.settings = settings ?? BookingSettings(policy: config.booking)
        self.key = key
        self.database = database
        self.pages = pages
        self.payment = payment ?? TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: now)
        self.now = now
    }

    /// Answers a request. Errors become pages with their status; nothing is written for them.
    public func respond(to request: CGIRequest) -> CGIResponse {
        do {
            return try route(request)
        } catch let error as BookingError {
            return pages.error(error, request: request)
        } catch let error as StoreError {
            if case .sqlite(let sqlite) = error, sqlite.isBusy {
                return pages.error(BookingError(.unavailable, "Booking is very busy right now. Please try again in a moment.", retryAfter: 5), request: request)
            }
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return pages.error(BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 60), request: request)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return pages.error(BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 60), request: request)
        }
    }

    func route(_ request: CGIRequest) throws -> CGIResponse {
        switch (request.pathInfo, request.method) {
        case ("", .get), ("", .head): return try showSpecialty(request)
        case ("", .post): return try chooseSpecialty(request)
        case ("/type", .get), ("/type", .head): return try showType(request)
        case ("/type", .post): return try chooseType(request)
        case ("/time", .get), ("/time", .head): return try showTime(request)
        case ("/time", .post): return try chooseTime(request)
        case ("/details", .get), ("/details", .head): return try showDetails(request)
        case ("/details", .post): return try submitDetails(request)
        case ("/payment", .get), ("/payment", .head): return try showPayment(request)
        case ("/payment", .post): return try pay(request)
        case ("/done", .get), ("/done", .head): return try showDone(request)
        case ("/confirm", .get), ("/confirm", .head): return try showConfirm(request)
        case ("/confirm", .post): return try confirm(request)
        case ("/manage", .get), ("/manage", .head): return try showManage(request)
        case ("/manage", .post): return try cancel(request)
        case ("/calendar.ics", .get), ("/calendar.ics", .head): return try calendar(request)
        case ("/reschedule", .get), ("/reschedule", .head): return try showReschedule(request)
        case ("/reschedule", .post): return try reschedule(request)
        case ("/dashboard", .get), ("/dashboard", .head): return try showDashboard(request)
        case ("/dashboard", .post): return try blockDate(request)
        case ("/slots", .get), ("/slots", .head): return try slotsJSON(request)
        case ("", _), ("/type", _), ("/time", _), ("/details", _), ("/payment", _), ("/done", _), ("/confirm", _), ("/manage", _), ("/calendar.ics", _), ("/slots", _), ("/reschedule", _), ("/dashboard", _):
            throw BookingError(.methodNotAllowed, "This page does not accept \(request.method.rawValue).")
        default:
            throw BookingError(.notFound, "There is no such booking page.")
        }
    }

    // MARK: Choices carried between steps

    struct Choices {
        var mentor: Mentor
        var zone: ZoneRules
        var specialty: String?
        var type: AppointmentType?
        var start: Int?
        var patientZone: ZoneRules

        /// The query string for the next step (only non-personal values).
        var query: String {
            var items = [("mentor", mentor.slug)]
            if let specialty { items.append(("specialty", specialty)) }
            if let type { items.append(("type", type.rawValue)) }
            if let start { items.append(("start", String(start))) }
            items.append(("tz", patientZone.identifier))
            return WebText.join(items.map { "\($0)=\(WebText.percentEncode($1))" }, separator: "&")
        }
    }

    /// Reads and re-validates every choice from the query (GET) or the form (POST).
    func choices(_ fields: FormData, needs: Set<String>) throws -> Choices {
        guard let slug = fields["mentor"], !slug.isEmpty else {
            throw BookingError(.badRequest, "Choose a mentor first: every profile page has a \"Book a session\" link.")
        }
        guard Slug.isValid(slug), let mentor = try database.activeMentor(slug: slug) else {
            throw BookingError(.notFound, "We could not find that mentor. They may have left the directory.")
        }
        guard let zoneName = mentor.profile.timezone, let zone = ZoneRules(identifier: zoneName), !mentor.profile.availability.isEmpty else {
            if mentor.profile.timezone != nil, let problem = TimeZones.databaseProblem {
                Files.writeStandardError("mentorsite-cgi: \(problem)\n")
                throw BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 300)
            }
            throw BookingError(.notFound, "\(mentor.profile.name) is not taking online bookings right now.")
        }
        var choices = Choices(mentor: mentor, zone: zone, patientZone: zone)
        if let tz = fields["tz"], !tz.isEmpty {
            // The mentor's own zone is already read (each `ZoneRules` reads its zone file).
            guard let patientZone = tz == zone.identifier ? zone : ZoneRules(identifier: tz) else { throw BookingError(.unprocessable, "\"\(tz.prefix(40))\" is not a time zone we know. Choose one from the list.") }
            choices.patientZone = patientZone
        }
        let specialties = mentor.profile.allSpecialties
        if let specialty = fields["specialty"], !specialty.isEmpty {
            guard specialties.contains(specialty) else { throw BookingError(.unprocessable, "\(mentor.profile.name) does not list that specialty.") }
            choices.specialty = specialty
        } else if specialties.count <= 1 {
            choices.specialty = specialties.first
        } else if needs.contains("specialty") {
            throw BookingError(.unprocessable, "Choose what you would like to talk about.")
        }
        if let typeName = fields["type"], !typeName.isEmpty {
            guard let type = AppointmentType(rawValue: typeName) else { throw BookingError(.unprocessable, "Choose video, audio or chat.") }
            choices.type = type
        } else if needs.contains("type") {
            throw BookingError(.unprocessable, "Choose video, audio or chat.")
        }
        if let startText = fields["start"], !startText.isEmpty {
            guard let start = Int(plainDigits: startText) else {
                throw BookingError(.unprocessable, "Choose a time from the list.")
            }
            guard isWithinHorizon(start) else {
                throw BookingError(.unprocessable, "That time is not one of \(mentor.profile.name)'s free times. Please choose one from the list.")
            }
            choices.start = start
        } else if needs.contains("start") {
            throw BookingError(.unprocessable, "Choose a time from the list.")
        }
        return choices
    }

    /// True for an instant between a day ago and the booking horizon (plus a day): every
    /// instant from a request is checked against this before any calendar arithmetic, so
    /// nothing a client sends can reach dates far outside the calendar.
    func isWithinHorizon(_ instant: Int) -> Bool {
        instant >= now - 86_400 && instant <= now + (settings.rules.horizonDays + 1) * 86_400
    }

    func schedule(_ choices: Choices) -> SlotCalculator.Schedule {
        SlotCalculator.Schedule(rules: choices.zone, sessionMinutes: choices.mentor.profile.sessionMinutes,
                                availability: choices.mentor.profile.availability, blockedDates: choices.mentor.allBlockedDates)
    }

    /// - Parameter excluding: an appointment being moved, whose own time does not count as busy.
    func freeSlots(_ choices: Choices, from: CalendarDate? = nil, days: Int? = nil, excluding: String? = nil) throws -> [Slot] {
        let today = choices.zone.local(now).date
        let start = from ?? today
        let count = days ?? settings.daysShown
        let busy = try database.busyRanges(mentorID: choices.mentor.id, from: now, to: now + (settings.rules.horizonDays + 2) * 86_400,
                                           now: now, excluding: excluding)
        return SlotCalculator.freeSlots(for: schedule(choices), from: start, days: count, now: now, busy: busy, rules: settings.rules)
    }

    /// Why `start` cannot be chosen now, or nil when it is free: never one of the mentor's
    /// times (off the interval, outside weekly hours, blocked, past, inside the notice,
    /// beyond the horizon, a local time a DST change skips) is 422; taken by someone else
    /// is 409. Looks only at the days around `start`, as the booking transaction does.
    func slotProblem(_ start: Int?, _ choices: Choices) throws -> BookingError? {
        guard let start else { return BookingError(.unprocessable, "Choose a time from the list.") }
        let day = choices.zone.local(start).date.adding(days: -1)
        let offered = SlotCalculator.freeSlots(for: schedule(choices), from: day, days: 3, now: now, busy: [], rules: settings.rules)
        guard let slot = offered.first(where: { $0.start == start }) else {
            return BookingError(.unprocessable, "That time is not one of \(choices.mentor.profile.name)'s free times. Please choose one from the list.")
        }
        let busy = try database.busyRanges(mentorID: choices.mentor.id, from: start - 2 * 86_400, to: start + 2 * 86_400, now: now)
        guard !SlotCalculator.isTaken(slot, busy: busy) else {
            return BookingError(.conflict, "That time is no longer free. Please choose another one.")
        }
        return nil
    }

    // MARK: Sessions and CSRF

    /// The browser's random session id (a cookie), made on first sight.
    func session(_ request: CGIRequest) -> (id: String, cookie: Cookie?) {
        if let id = request.cookies["bk_session"], RandomToken.isWellFormed(id) {
            return (id, nil)
        }
        let id = RandomToken.generate()
        return (id, Cookie(name: "bk_session", value: id, path: cookiePath, secure: secureCookies(request)))
    }

    var cookiePath: String { pages.paths.bookingPath }

    /// Secure cookies except for a plain-HTTP local preview on 127.0.0.1.
    func secureCookies(_ request: CGIRequest) -> Bool {
        request.isHTTPS || !(request.remoteAddress.hasPrefix("127.") || request.remoteAddress == "::1")
    }

    func csrfToken(session: String) -> String {
        SignedToken.sign(purpose: "csrf", subject: session, expires: now + 4 * 3600, key: key)
    }

    /// Every POST carries a token tied to this browser's session cookie.
    func checkCSRF(_ request: CGIRequest) throws {
        guard let session = request.cookies["bk_session"], let token = request.form["csrf"],
              let claims = try? SignedToken.verify(token, purpose: "csrf", now: now, key: key), claims.subject == session
        else {
            throw BookingError(.forbidden, "This form has expired or was not sent from this browser. Please go back, reload the page and try again.")
        }
    }

    func withSession(_ request: CGIRequest, _ render: (String) throws -> CGIResponse) rethrows -> CGIResponse {
        let (id, cookie) = session(request)
        var response = try render(csrfToken(session: id))
        if let cookie { response.headers.append((name: "Set-Cookie", value: cookie.headerValue)) }
        return response
    }

    func redirect(_ path: String, _ query: String = "") -> CGIResponse {
        CGIResponse.redirect(to: pages.url(path) + (query.isEmpty ? "" : "?" + query))
    }

    // MARK: Step 1: specialty

    func showSpecialty(_ request: CGIRequest) throws -> CGIResponse {
        let choices = try choices(request.query, needs: [])
        if choices.mentor.profile.allSpecialties.count <= 1 { return redirect("/type", choices.query) }
        return withSession(request) { csrf in
            pages.render("booking/specialty", step: 1, title: "What would you like to talk about?", choices: choices, csrf: csrf, extra: [
                "specialties": .list(zip(choices.mentor.profile.allSpecialties, WebText.elementIDs(choices.mentor.profile.allSpecialties, prefix: "specialty-")).map {
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
        return redirect("/details", choices.query)
    }

    // MARK: Step 4: details

    func signedInPatient(_ request: CGIRequest) throws -> (id: String, name: String, email: String, phone: String?)? {
        guard let token = request.cookies["bk_patient"], let claims = try? SignedToken.verify(token, purpose: "patient", now: now, key: key) else { return nil }
        return try database.wrap {
            try database.connection.query("SELECT id, name, email, phone FROM patients WHERE id = ? AND verified_at IS NOT NULL", [claims.subject]) {
                ($0.text(0), $0.text(1), $0.text(2), $0.optionalText(3))
            }.first
        }
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
            let (draftID, cookie) = draftID(request)
            let data: [String: String] = [
                "name": details.name, "email": details.email, "phone": details.phone ?? "", "notes": details.notes ?? "",
                "query": choices.query, "idempotency": RandomToken.generate(bytes: 16),
            ]
            try saveDraft(draftID, mentorID: choices.mentor.id, data: data)
            var response = redirect("/payment")
            if let cookie { response.headers.append((name: "Set-Cookie", value: cookie.headerValue)) }
            return response
        }
    }

    // MARK: Drafts

    func draftID(_ request: CGIRequest) -> (String, Cookie?) {
        if let id = request.cookies["bk_draft"], RandomToken.isWellFormed(id) { return (id, nil) }
        let id = RandomToken.generate()
        return (id, Cookie(name: "bk_draft", value: id, path: cookiePath, maxAge: 2 * 3600, secure: secureCookies(request)))
    }

    func loadDraft(_ request: CGIRequest) throws -> [String: String]? {
        guard let id = request.cookies["bk_draft"] else { return nil }
        return try database.wrap {
            try database.connection.query("SELECT data FROM booking_drafts WHERE id = ? AND expires_at > ?", [id, now]) {
                (try? JSONDecoder().decode([String: String].self, from: Data($0.text(0).utf8))) ?? [:]
            }.first
        }
    }

    func saveDraft(_ id: String, mentorID: String, data: [String: String]) throws {
        let json = String(decoding: (try? JSONEncoder().encode(data)) ?? Data("{}".utf8), as: UTF8.self)
        try database.wrap {
            try database.connection.writeTransaction {
                try database.connection.run("DELETE FROM booking_drafts WHERE expires_at <= ?", now)
                try database.connection.run("""
                    INSERT INTO booking_drafts (id, mentor_id, data, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET mentor_id = excluded.mentor_id, data = excluded.data, expires_at = excluded.expires_at
                    """, id, mentorID, json, now + 2 * 3600)
            }
        }
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
