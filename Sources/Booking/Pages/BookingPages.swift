import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// Renders booking pages with the site's own layout and stylesheet, from
/// `templates/booking/*.mustache` (a handful of small files, parsed once per process and
/// again when they change: `TemplateCache`) by TemplateEngine's `Template`, which renders
/// them as the generator's swift-mustache does.
struct BookingPages {
    let config: SiteConfig
    let paths: URLs
    let stylesheet: String
    let script: String
    let cache: TemplateCache

    init(config: SiteConfig, cache: TemplateCache = TemplateCache()) {
        self.config = config
        self.paths = URLs(config: config)
        self.cache = cache
        let folder = config.templates
        // The names the generator gave the assets it wrote.
        stylesheet = paths.asset(cache.assetName("style.css", at: folder + "/assets/style.css"))
        script = paths.asset(cache.assetName("booking.js", at: folder + "/assets/booking.js"))
    }

    /// The booking CGI's URL for a step path (`/time` → `/cgi-bin/book/time`).
    func url(_ path: String) -> String { config.bookingURL + path }

    /// An absolute URL for mail.
    func absoluteURL(_ path: String) -> String { paths.absolute(url(path)) }

    func context(title: String, extra: [String: TemplateValue]) -> [String: TemplateValue] {
        var context: [String: TemplateValue] = [
            "site": ["name": .text(config.siteName), "tagline": .text(config.tagline), "language": .text(config.language), "og_locale": .text(config.ogLocale),
                     "home": .text(paths.home), "pages": []],
            "assets": ["style_css": .text(stylesheet), "booking_js": .text(script)],
            // No canonical URL: booking pages are noindex and personal, not copies of the home page.
            "page": ["title": "\(title) | \(config.siteName)", "description": "Book a session on \(config.siteName).", "has_canonical": false,
                     "og_type": "website", "noindex": true, "has_image": false, "has_json_ld": false],
            "booking": ["action": .text(url(""))],
            // Where patients write about what cannot be done online (empty: reply by mail).
            "contact_email": .text(config.contactEmail),
        ]
        for (key, value) in extra { context[key] = value }
        return context
    }

    static let stepNames = ["Topic", "Type", "Time", "Details", "Payment", "Confirmation"]

    /// The progress list, with step `current` (1-based) marked.
    static func steps(current: Int) -> TemplateValue {
        .list(stepNames.enumerated().map { index, name in
            ["number": .text(String(index + 1)), "name": .text(name), "current": .flag(index + 1 == current), "done": .flag(index + 1 < current)]
        })
    }

    func render(_ template: String, step: Int, title: String, choices: BookingApp.Choices, csrf: String,
                errors: [String: String] = [:], extra: [String: TemplateValue]) -> CGIResponse {
        var values = extra
        values["title"] = .text(title)
        values["csrf"] = .text(csrf)
        values["mentor_name"] = .text(choices.mentor.profile.name)
        values["mentor_url"] = .text(paths.mentor(choices.mentor.slug))
        values["hidden"] = .list(hiddenFields(choices))
        values["steps"] = Self.steps(current: step)
        values["step_number"] = .text(String(step))
        values["has_errors"] = .flag(!errors.isEmpty)
        values["errors"] = .list(errors.sorted { $0.key < $1.key }.map { ["field": .text($0.key), "message": .text($0.value)] })
        for (field, message) in errors {
            values["error_" + field] = .text(message)
            values["has_error_" + field] = true
        }
        for (name, path) in [("type_url", "/type"), ("time_url", "/time"), ("details_url", "/details"), ("payment_url", "/payment")] {
            values[name] = .text(url(path))
        }
        values["back_query"] = .text(choices.query)
        return page(template, title: title, values: values)
    }

    func hiddenFields(_ choices: BookingApp.Choices) -> [TemplateValue] {
        var fields: [(String, String)] = [("mentor", choices.mentor.slug), ("tz", choices.patientZone.identifier)]
        if let specialty = choices.specialty { fields.append(("specialty", specialty)) }
        if let type = choices.type { fields.append(("type", type.rawValue)) }
        if let start = choices.start { fields.append(("start", String(start))) }
        return fields.map { ["name": .text($0.0), "value": .text($0.1), "is_tz": .flag($0.0 == "tz")] }
    }

    /// Parses `name` and, transitively, the partials and parents it names: only what this
    /// response needs (parsing every template cost a third of a request).
    func library(for name: String) -> TemplateLibrary? {
        var library = TemplateLibrary()
        var pending = [name]
        while let next = pending.popLast() {
            guard library.templates[next] == nil else { continue }
            guard let template = cache.template(at: config.templates + "/" + next + ".mustache") else { return nil }
            library.templates[next] = template
            pending += template.partials.filter { library.templates[$0] == nil }
        }
        return library
    }

    /// Names in `{{> name}}` and `{{< name}}` tags.
    func page(_ template: String, title: String, status: HTTPStatus = .ok, values: [String: TemplateValue]) -> CGIResponse {
        guard let library = library(for: template), let html = library.renderBytes(template, context(title: title, extra: values)) else {
            return CGIResponse(status: status == .ok ? .unavailable : status, html: plainPage(title: title, message: "Booking pages are missing from the site's templates."))
        }
        return CGIResponse(status: status, body: html)
    }

    func error(_ error: BookingError, request: CGIRequest) -> CGIResponse {
        if error.status == .seeOther, let location = error.location { return CGIResponse.redirect(to: location) }
        var response: CGIResponse
        if request.pathInfo == "/slots" {
            response = CGIResponse(status: error.status, contentType: "application/json", body: Array("{\"error\":\(WebText.jsonString(error.message))}\n".utf8))
        } else if request.pathInfo == "/api" || request.pathInfo.hasPrefix("/api/") {
            response = CGIResponse(status: error.status, contentType: "application/json",
                                   body: Array("{\"error\":{\"status\":\(error.status.code),\"message\":\(WebText.jsonString(error.message))}}\n".utf8))
            if error.status == .unauthorized { response.headers.append((name: "WWW-Authenticate", value: "Bearer realm=\"mentorsite\"")) }
            if error.status == .methodNotAllowed { response.headers.append((name: "Allow", value: "GET, HEAD")) }
        } else {
            response = page("booking/error", title: error.status.reason, status: error.status, values: [
                "title": error.status == .notFound ? "We could not find that" : "Something needs your attention",
                "message": .text(error.message), "status": .text(String(error.status.code)), "home": .text(paths.home),
            ])
            response.status = error.status
        }
        if let retry = error.retryAfter { response.headers.append((name: "Retry-After", value: String(retry))) }
        if error.status == .methodNotAllowed, !response.headers.contains(where: { $0.name == "Allow" }) {
            response.headers.append((name: "Allow", value: "GET, HEAD, POST"))
        }
        return response
    }

    /// Why a session cannot be cancelled or moved online, said to the patient on its page.
    static func lockedReason(_ appointment: Appointment, window: Int, now: Int) -> String? {
        switch appointment.status {
        case .pending, .scheduled:
            if appointment.start <= now { return "This session has started, so it can no longer be changed online." }
            let hours = window / 3600
            return "This session starts in less than \(hours) \(hours == 1 ? "hour" : "hours"), so it can no longer be cancelled or moved online."
        case .completed: return "This session has taken place."
        case .noShow: return "This session was missed."
        case .expired: return "This booking was never confirmed, so the time was released."
        case .cancelled, .rescheduled: return nil
        }
    }

    func plainPage(title: String, message: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>\(HTML.escape(title))</title></head><body><h1>\(HTML.escape(title))</h1><p>\(HTML.escape(message))</p></body></html>"
    }


    func appointmentValues(_ appointment: Appointment, mentor: Mentor, now: Int) throws -> [String: TemplateValue] {
        let zone = try appointment.mentorZone()
        var values: [String: TemplateValue] = [
            "mentor": .text(mentor.profile.name),
            "mentor_url": .text(paths.mentor(mentor.slug)),
            "mentor_time": .text(Formatting.instant(appointment.start, in: zone) + " in " + appointment.mentorTimezone),
            "type": .text(appointment.appointmentType.label),
            "minutes": .text(String((appointment.end - appointment.start) / 60)),
            "status": .text(appointment.status.rawValue),
            "scheduled": .flag(appointment.status == .scheduled),
            "pending": .flag(appointment.status == .pending),
            "cancelled": .flag(appointment.status == .cancelled),
        ]
        values.setOptional("specialty", appointment.specialty)
        if let patientZone = appointment.patientTimezone.flatMap(ZoneRules.init(identifier:)), patientZone.identifier != zone.identifier {
            values.setOptional("patient_time", Formatting.instant(appointment.start, in: patientZone) + " in " + patientZone.identifier)
        } else {
            values["has_patient_time"] = false
        }
        if let hold = appointment.holdExpiresAt { values["hold_until"] = .text(Formatting.instant(hold, in: zone)) }
        values.setOptional("join_url", Joining.link(of: appointment))
        values["join_how"] = .text(Joining.how(appointment.appointmentType))
        if let minor = appointment.priceMinor, let currency = appointment.currency {
            values.setOptional("price", Money(minorUnits: minor, currency: currency).formatted)
        } else {
            values["has_price"] = false
        }
        return values
    }

    func confirmation(_ appointment: Appointment, mentor: Mentor, manageToken: String, now: Int) throws -> CGIResponse {
        var values = try appointmentValues(appointment, mentor: mentor, now: now)
        let title = appointment.status == .pending ? "Check your email to confirm" : "You are booked"
        values["title"] = .text(title)
        values["manage_url"] = .text(url("/manage") + "?token=" + manageToken)
        values["ics_url"] = .text(url("/calendar.ics") + "?token=" + manageToken)
        values["steps"] = Self.steps(current: 6)
        return page("booking/done", title: title, values: values)
    }

    func confirmPage(_ appointment: Appointment, mentor: Mentor, token: String, csrf: String, now: Int) throws -> CGIResponse {
        var values = try appointmentValues(appointment, mentor: mentor, now: now)
        values["title"] = "Confirm your booking"
        values["token"] = .text(token)
        values["csrf"] = .text(csrf)
        values["action"] = .text(url("/confirm"))
        return page("booking/confirm", title: "Confirm your booking", values: values)
    }

    func managePage(_ appointment: Appointment, mentor: Mentor, access: ManageAccess, csrf: String, canCancel: Bool, window: Int, message: String?,
                    now: Int) throws -> CGIResponse {
        var values = try appointmentValues(appointment, mentor: mentor, now: 0)
        values["title"] = "Your session"
        values["access_field"] = .text(access.field)
        values["access_value"] = .text(access.value)
        values["csrf"] = .text(csrf)
        values["action"] = .text(url("/manage"))
        values["ics_url"] = .text(url("/calendar.ics") + "?" + access.query)
        values["can_cancel"] = .flag(canCancel)
        values["reschedule_url"] = .text(url("/reschedule") + "?" + access.query)
        values["window_hours"] = .text(String(window / 3600))
        values.setOptional("message", message)
        values.setOptional("locked_reason", canCancel ? nil : Self.lockedReason(appointment, window: window, now: now))
        return page("booking/manage", title: "Your session", values: values)
    }
}
