import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// `/dashboard/hours`: weekly hours (several windows a day), blocked dates and ranges with a
/// reason. Blocking days that hold booked sessions asks the mentor first whether to cancel
/// them (patients are emailed) or keep them: it never happens silently.
extension BookingApp {
    func showHours(_ request: CGIRequest) throws -> CGIResponse {
        let (mentor, _) = try dashboardMentor(request)
        return try hoursPage(request, mentor: mentor, rows: Self.hourRows(mentor.profile.availability))
    }

    /// The editor's rows: each window of each day, then two empty ones a day to add to.
    static func hourRows(_ windows: [AvailabilityWindow]) -> [(day: Weekday, start: String, end: String)] {
        Weekday.allCases.sorted().flatMap { day in
            windows.filter { $0.day == day }.sorted { $0.start < $1.start }.map { (day, $0.start.description, $0.end.description) }
                + [(day, "", ""), (day, "", "")]
        }
    }

    func hoursPage(_ request: CGIRequest, mentor: Mentor, rows: [(day: Weekday, start: String, end: String)], problems: [String: String] = [:],
                   message: String? = nil, status: HTTPStatus = .ok, block: (dates: [CalendarDate], reason: String)? = nil,
                   affected: [MentorSession] = []) throws -> CGIResponse {
        let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:))
        let today = zone?.local(now).date
        var blocked: [(BlockedDate, String)] = mentor.profile.blockedDates.map { ($0, "content") }
        blocked += mentor.dashboardBlockedDates.map { ($0, "dashboard") }
        blocked = blocked.filter { item in today.map { item.0.date >= $0 } ?? true }.sorted { $0.0.date < $1.0.date }
        return withSession(request) { csrf in
            var values: [String: TemplateValue] = [
                "title": "Hours and blocked dates",
                "csrf": .text(csrf),
                "action": .text(pages.url("/dashboard/hours")),
                "dashboard_url": .text(pages.url("/dashboard")),
                "zone": .text(mentor.profile.timezone ?? "no time zone yet: set it in your profile"),
                "days": .list(Weekday.allCases.sorted().map { day in
                    [
                        "name": .text(day.displayName),
                        "rows": .list(rows.enumerated().filter { $0.element.day == day }.map { index, row in
                            var value: [String: TemplateValue] = [
                                "index": .text(String(index)), "day": .text(day.name), "start": .text(row.start), "end": .text(row.end),
                            ]
                            value.setOptional("error", problems["availability-\(index)"])
                            return .object(value)
                        }),
                    ]
                }),
                "has_blocked": .flag(!blocked.isEmpty),
                "blocked": .list(blocked.map { item, source in
                    var value: [String: TemplateValue] = ["date": .text(item.date.description), "label": .text(Formatting.day(item.date)),
                                                          "from_file": .flag(source == "content")]
                    value.setOptional("reason", item.reason)
                    return .object(value)
                }),
                "has_errors": .flag(!problems.isEmpty),
                "errors": .list(problems.sorted { $0.key < $1.key }.map { ["field": .text($0.key), "message": .text($0.value)] }),
                "confirm_block": .flag(block != nil),
            ]
            for (field, message) in problems { values["error_" + field] = .text(message) }
            values.setOptional("message", message)
            if let block {
                values["block_from"] = .text(block.dates.first?.description ?? "")
                values["block_to"] = .text(block.dates.last?.description ?? "")
                values["block_reason"] = .text(block.reason)
                values["affected"] = .list(affected.map { sessionValues($0, zone: zone, actions: .past) })
            }
            return pages.page("booking/dashboard-hours", title: "Hours and blocked dates", status: status, values: values)
        }
    }

    func saveHours(_ request: CGIRequest) throws -> CGIResponse {
        let (mentor, actor) = try dashboardMentor(request)
        try checkCSRF(request)
        switch request.form["action"] ?? "" {
        case "hours": return try saveWeeklyHours(request, mentor: mentor, actor: actor)
        case "block": return try block(request, mentor: mentor, actor: actor)
        case "unblock":
            guard let text = request.form["date"], let date = CalendarDate(text) else { throw BookingError(.badRequest, "Choose a blocked date to remove.") }
            let removed = try database.unblockDate(mentorID: mentor.id, date, actor: actor, now: now)
            let fresh = try database.mentor(id: mentor.id) ?? mentor
            return try hoursPage(request, mentor: fresh, rows: Self.hourRows(fresh.profile.availability),
                                 message: removed ? "\(Formatting.day(date)) is open for bookings again." : "\(Formatting.day(date)) was not blocked.")
        default:
            throw BookingError(.badRequest, "Unknown action.")
        }
    }

    /// The weekly hours, read with the rules of content files (windows may not be inverted or
    /// overlap), saved as a web edit of the profile.
    func saveWeeklyHours(_ request: CGIRequest, mentor: Mentor, actor: String) throws -> CGIResponse {
        var rows: [(day: Weekday, start: String, end: String)] = []
        var nodes: [YAMLNode] = []
        var rowOfNode: [Int] = []
        for index in 0..<(7 * 12) {
            guard let dayName = request.form["availability[\(index)][day]"] else { continue }
            guard let day = Weekday(name: dayName) else { throw BookingError(.badRequest, "Unknown day \(dayName.prefix(20)).") }
            let start = WebText.trimmingWhitespace(request.form["availability[\(index)][start]"] ?? "")
            let end = WebText.trimmingWhitespace(request.form["availability[\(index)][end]"] ?? "")
            rows.append((day, start, end))
            guard !start.isEmpty || !end.isEmpty else { continue }
            nodes.append(.mapping([(key: "day", value: .scalar(day.name, plain: false, line: nil), line: nil),
                                   (key: "start", value: .scalar(start, plain: start.isEmpty, line: nil), line: nil),
                                   (key: "end", value: .scalar(end, plain: end.isEmpty, line: nil), line: nil)], line: nil))
            rowOfNode.append(rows.count - 1)
        }
        var entries = ProfileWriter.mapping(mentor.profile).filter { $0.key != "availability" }
        if !nodes.isEmpty { entries.append((key: "availability", value: .sequence(nodes, line: nil))) }
        var reader = YAMLReader(file: "hours", mapping: entries)
        switch ProfileReader.read(&reader, bio: mentor.profile.bio, defaultCurrency: config.defaultCurrency) {
        case .failure(let problems):
            var messages: [String: String] = [:]
            for problem in problems.items {
                // `availability[2].end` → the row it names, as the editor numbers rows.
                let field = problem.field ?? "availability"
                if let open = field.firstIndex(of: "["), let close = field.firstIndex(of: "]"),
                   let node = Int(plainDigits: field[field.index(after: open)..<close]), rowOfNode.indices.contains(node) {
                    messages["availability-\(rowOfNode[node])", default: "\(rows[rowOfNode[node]].day.displayName): "] += problem.message
                } else {
                    messages[ProfileForm.inputID(field)] = problem.message
                }
            }
            return try hoursPage(request, mentor: mentor, rows: rows, problems: messages, status: .unprocessable)
        case .success(let profile):
            let fields = try database.saveWebProfile(mentorID: mentor.id, profile: profile, actor: actor, now: now)
            let fresh = try database.mentor(id: mentor.id) ?? mentor
            return try hoursPage(request, mentor: fresh, rows: Self.hourRows(fresh.profile.availability),
                                 message: fields.isEmpty ? "Nothing changed." : "Your weekly hours are saved; free times follow at once.")
        }
    }

    /// Blocks a date or a range. Booked sessions on those days: the mentor chooses first.
    func block(_ request: CGIRequest, mentor: Mentor, actor: String) throws -> CGIResponse {
        let rows = Self.hourRows(mentor.profile.availability)
        guard let zone = mentor.profile.timezone.flatMap(ZoneRules.init(identifier:)) else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_from": "Set your time zone in your profile first."], status: .unprocessable)
        }
        let today = zone.local(now).date
        guard let from = CalendarDate(request.form["from"] ?? "") else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_from": "Enter a real date as YYYY-MM-DD."], status: .unprocessable)
        }
        let toText = WebText.trimmingWhitespace(request.form["to"] ?? "")
        guard let to = toText.isEmpty ? from : CalendarDate(toText) else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_to": "Enter a real date as YYYY-MM-DD, or leave it empty for one day."], status: .unprocessable)
        }
        guard from >= today else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_from": "Choose today or a later date."], status: .unprocessable)
        }
        guard to >= from, to.daysSinceEpoch - from.daysSinceEpoch < 366, to <= today.adding(days: 3 * 366) else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_to": "Choose an end on or after the start, within a year of it and three years of today."], status: .unprocessable)
        }
        let reason = WebText.trimmingWhitespace(request.form["reason"] ?? "")
        guard reason.count <= 200, reason.isEmpty || PlainText.problem(reason) == nil else {
            return try hoursPage(request, mentor: mentor, rows: rows, problems: ["block_reason": "Keep the reason to one line of up to 200 characters."], status: .unprocessable)
        }
        let dates = (0...(to.daysSinceEpoch - from.daysSinceEpoch)).map { from.adding(days: $0) }
        let affected = try database.sessions(mentorID: mentor.id, localDates: dates.map(\.description)).filter { $0.appointment.start > now }
        var cancelled = 0
        if !affected.isEmpty {
            switch request.form["sessions"] {
            case "keep": break
            case "cancel":
                let note = WebText.trimmingWhitespace(request.form["patient_reason"] ?? "")
                guard !note.isEmpty, note.count <= 500, PlainText.problem(note) == nil else {
                    return try hoursPage(request, mentor: mentor, rows: rows, problems: ["patient_reason": "Tell your patients why, in a few words."],
                                         status: .unprocessable, block: (dates, reason), affected: affected)
                }
                for session in affected {
                    let patient = try patientContact(session.appointment)
                    let done = try database.cancel(appointmentID: session.appointment.id, by: .mentor, reason: note, window: 0, now: now) { appointment in
                        [try mails.cancelledByMentor(appointment, mentor: mentor, patientName: patient.name, email: patient.email, reason: note,
                                                      bookAgain: pages.absoluteURL("") + "?mentor=" + mentor.slug)]
                    }
                    if done != nil {
                        settlePayment(of: session.appointment.id)
                        cancelled += 1
                    }
                }
            default:
                // Ask first: which sessions, and cancel or keep them.
                return try hoursPage(request, mentor: mentor, rows: rows, block: (dates, reason), affected: affected)
            }
        }
        let added = try database.blockDates(mentorID: mentor.id, dates, reason: reason.isEmpty ? nil : reason, actor: actor, now: now)
        let fresh = try database.mentor(id: mentor.id) ?? mentor
        var message = dates.count == 1 ? "\(Formatting.day(from)) is blocked." : "\(Formatting.day(from)) to \(Formatting.day(to)) are blocked (\(added.count) new)."
        if cancelled > 0 { message += " \(cancelled) session\(cancelled == 1 ? " is" : "s are") cancelled and the patients emailed." }
        if !affected.isEmpty && request.form["sessions"] == "keep" { message += " Your \(affected.count) booked session\(affected.count == 1 ? "" : "s") on those days stay." }
        return try hoursPage(request, mentor: fresh, rows: Self.hourRows(fresh.profile.availability), message: message)
    }
}
