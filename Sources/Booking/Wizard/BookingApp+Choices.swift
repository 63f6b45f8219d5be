import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

extension BookingApp {
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
        guard let zoneName = mentor.profile.timezone, let zone = ZoneRules(identifier: zoneName), !mentor.profile.availability.isEmpty, !mentor.isPaused else {
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
}
