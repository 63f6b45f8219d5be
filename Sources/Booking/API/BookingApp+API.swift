import FoundationEssentials
import MentorCore
import MentorStore

/// `/api/…`: read-only JSON for other services (described in `docs/openapi.json`).
///
/// - `GET /api/mentors/{slug}` and `/api/mentors/{slug}/slots`: public, no token;
/// - `GET /api/appointments`, `/api/mentors/{slug}/appointments` and
///   `/api/mentors/{slug}/availability`: a mentor's own, with the token they made on their
///   dashboard in `Authorization: Bearer …` (401 without a valid one, 403 for another
///   mentor's).
///
/// Tokens are stored as SHA-256 digests, looked up by digest and compared in constant time;
/// a token in the query string is refused. Every answer is limited per address (429).
/// Errors are JSON: `{"error": {"status": 401, "message": "…"}}`.
extension BookingApp {
    static let apiRequestsPerHour = 600
    static let apiTokenPrefix = "mst_"

    func api(_ request: CGIRequest) throws -> CGIResponse {
        guard request.method != .post else { throw BookingError(.methodNotAllowed, "The API only reads: use GET.") }
        for name in ["access_token", "token", "api_key", "apikey", "key", "bearer"] where request.query[name] != nil {
            throw BookingError(.badRequest, "Send the token in the Authorization header (Authorization: Bearer …), never in the address.")
        }
        if let wait = try database.rateLimit("api:" + request.remoteAddress, limit: Self.apiRequestsPerHour, window: 3600, now: now) {
            throw BookingError(.tooManyRequests, "Too many API requests from this address; try again in \(max(1, wait / 60)) minutes.", retryAfter: wait)
        }
        let parts = request.pathInfo.split(separator: "/").dropFirst().map(String.init)
        switch parts.count {
        case 1 where parts[0] == "appointments":
            return try appointmentsJSON(try apiMentor(request), request: request)
        case 2 where parts[0] == "mentors":
            return json(publicMentorJSON(try apiListedMentor(parts[1])), cacheable: true)
        case 3 where parts[0] == "mentors" && parts[2] == "slots":
            let mentor = try apiListedMentor(parts[1])
            var query = request
            var fields = request.query.fields
            fields["mentor"] = mentor.slug
            query.query = FormData(fields)
            return try slotsJSON(query)
        case 3 where parts[0] == "mentors" && (parts[2] == "appointments" || parts[2] == "availability"):
            let mentor = try apiMentor(request)
            guard try database.activeMentor(slug: parts[1]) != nil || parts[1] == mentor.slug else {
                throw BookingError(.notFound, "There is no mentor \(parts[1]).")
            }
            guard parts[1] == mentor.slug else { throw BookingError(.forbidden, "This token belongs to another mentor.") }
            return parts[2] == "appointments" ? try appointmentsJSON(mentor, request: request) : json(availabilityJSON(mentor), cacheable: false)
        default:
            throw BookingError(.notFound, "There is no such API address.")
        }
    }

    /// The mentor whose token the request carries; 401 otherwise.
    func apiMentor(_ request: CGIRequest) throws -> Mentor {
        guard let header = request.authorization else {
            throw BookingError(.unauthorized, "This needs a mentor's API token: Authorization: Bearer … (make one on your dashboard).")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(Self.apiTokenPrefix),
              RandomToken.isWellFormed(String(parts[1].dropFirst(Self.apiTokenPrefix.count)))
        else {
            throw BookingError(.unauthorized, "The Authorization header must be Bearer and a token made on a mentor's dashboard.")
        }
        let digest = RandomToken.digest(String(parts[1]))
        guard let found = try database.token(.api, digest: digest), Self.constantTimeEqual(found.digest, digest),
              let mentor = try database.mentors(ids: [found.mentorID]).first, mentor.isActive
        else {
            throw BookingError(.unauthorized, "This token is not valid (it may have been revoked).")
        }
        return mentor
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    func apiListedMentor(_ slug: String) throws -> Mentor {
        guard let mentor = try database.activeMentor(slug: slug) else { throw BookingError(.notFound, "There is no mentor \(slug).") }
        return mentor
    }

    func json(_ text: String, cacheable: Bool) -> CGIResponse {
        var response = CGIResponse(status: .ok, contentType: "application/json", body: Array((text + "\n").utf8))
        if cacheable { response.allowSharedCaching(seconds: 60) }
        return response
    }

    /// What the profile page shows, as data.
    func publicMentorJSON(_ mentor: Mentor) -> String {
        let p = mentor.profile
        let urls = URLs(config: config)
        var fields: [(String, String)] = [
            ("slug", WebText.jsonString(mentor.slug)), ("name", WebText.jsonString(p.name)),
            ("title", p.title.map(WebText.jsonString) ?? "null"), ("specialties", Self.jsonList(p.allSpecialties)),
            ("languages", Self.jsonList(p.languages)), ("therapy_types", Self.jsonList(p.therapyTypes)),
            ("location", p.location.map(WebText.jsonString) ?? "null"), ("timezone", p.timezone.map(WebText.jsonString) ?? "null"),
            ("session_minutes", String(p.sessionMinutes)), ("session_types", Self.jsonList(["video", "audio", "chat"])),
            ("bookable", mentor.isPaused || p.timezone == nil ? "false" : "true"),
        ]
        if let price = p.hourlyRate?.forSession(minutes: p.sessionMinutes) {
            fields.append(("price", "{\"amount\":\(WebText.jsonString(price.decimalText)),\"currency\":\(WebText.jsonString(price.currency))}"))
        } else {
            fields.append(("price", "null"))
        }
        // Rating only as the content states it; nothing is invented.
        if let rating = p.rating { fields.append(("rating", String(rating))) }
        if let reviews = p.reviewCount { fields.append(("review_count", String(reviews))) }
        fields.append(("profile_url", WebText.jsonString(urls.absolute(urls.mentor(mentor.slug)))))
        fields.append(("booking_url", WebText.jsonString(pages.absoluteURL("") + "?mentor=" + mentor.slug)))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The mentor's sessions from `from` (default: 30 days ago) for `days` (default 90):
    /// times, status and type, the patient's name and the join link; no contact details,
    /// notes or topics.
    func appointmentsJSON(_ mentor: Mentor, request: CGIRequest) throws -> CGIResponse {
        var start = now - 30 * 86_400
        if let text = request.query["from"] {
            guard let date = CalendarDate(text) else { throw BookingError(.badRequest, "from must be a real date YYYY-MM-DD.") }
            start = date.daysSinceEpoch * 86_400
        }
        var days = 90
        if let text = request.query["days"] {
            guard let value = Int(plainDigits: text, maxDigits: 3), (1...366).contains(value) else {
                throw BookingError(.badRequest, "days must be a whole number from 1 to 366.")
            }
            days = value
        }
        let end = start + days * 86_400
        let sessions = try database.feedSessions(mentorID: mentor.id, since: start).filter { $0.appointment.start < end }
        let items = sessions.map { session -> String in
            let a = session.appointment
            let fields: [(String, String)] = [
                ("id", WebText.jsonString(a.id)), ("status", WebText.jsonString(a.status.rawValue)),
                ("session_type", WebText.jsonString(a.appointmentType.rawValue)),
                ("start", WebText.jsonString(Timestamp.format(secondsSinceEpoch: a.start))), ("end", WebText.jsonString(Timestamp.format(secondsSinceEpoch: a.end))),
                ("local_date", WebText.jsonString(a.localDate)), ("local_start", WebText.jsonString(a.localStart)),
                ("timezone", WebText.jsonString(a.mentorTimezone)), ("patient_name", WebText.jsonString(session.name)),
                ("cancelled_by", a.cancelledBy.map { WebText.jsonString($0.rawValue) } ?? "null"),
                ("meeting_link", a.status.isLive ? a.meetingLink.map(WebText.jsonString) ?? "null" : "null"),
            ]
            return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        let body = "{\"mentor\":\(WebText.jsonString(mentor.slug)),\"from\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: start))),"
            + "\"to\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: end))),\"appointments\":[" + items.joined(separator: ",") + "]}"
        return json(body, cacheable: false)
    }

    /// Weekly hours in the mentor's zone, blocked dates from today, and the pause.
    func availabilityJSON(_ mentor: Mentor) -> String {
        let p = mentor.profile
        let hours = p.availability.map {
            "{\"day\":\(WebText.jsonString($0.day.name)),\"start\":\"\($0.start)\",\"end\":\"\($0.end)\"}"
        }
        let today = ZoneRules(identifier: p.timezone ?? "UTC")?.local(now).date
        let reasons = Dictionary((p.blockedDates + mentor.dashboardBlockedDates).map { ($0.date, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let blocked = mentor.allBlockedDates.filter { date in today.map { date >= $0 } ?? true }.sorted().map { date in
            "{\"date\":\"\(date)\",\"reason\":\(reasons[date].flatMap { $0 }.map(WebText.jsonString) ?? "null")}"
        }
        return "{\"mentor\":\(WebText.jsonString(mentor.slug)),\"timezone\":\(p.timezone.map(WebText.jsonString) ?? "null"),"
            + "\"session_minutes\":\(p.sessionMinutes),\"paused\":\(mentor.isPaused),\"weekly_hours\":[\(hours.joined(separator: ","))],"
            + "\"blocked_dates\":[\(blocked.joined(separator: ","))]}"
    }

    static func jsonList(_ items: [String]) -> String {
        "[" + items.map(WebText.jsonString).joined(separator: ",") + "]"
    }
}
