/// Reads a mentor's profile from its keys (the seed schema's column names, snake_case),
/// the one set of rules for a content file's front matter and for the profile form of the
/// mentor dashboard: the same values, the same messages, per field.
public enum ProfileReader {
    /// Every key a profile may have.
    public static let keys: Set<String> = [
        "name", "slug", "title", "specialty", "location", "gender", "avatar_url", "email", "meeting_url", "specialties", "languages",
        "therapy_types", "experience_years", "review_count", "session_minutes", "rating", "hourly_rate",
        "currency", "timezone", "education", "experience", "availability", "blocked_dates",
    ]

    /// Every value of `yaml` into a profile with `bio`, or every problem with its line and
    /// field.
    public static func read(_ yaml: inout YAMLReader, bio: String, defaultCurrency: String) -> Result<MentorProfile, Diagnostics> {
        if yaml.isUnreadable { return .failure(Diagnostics(yaml.diagnostics)) }
        yaml.rejectUnknownKeys(keys)

        let name = yaml.string("name", required: true)
        let slug = yaml.string("slug")
        if let slug, !Slug.isValid(slug) {
            yaml.report(yaml.line(of: "slug"), "slug", "\"\(slug)\" is not a slug: use lowercase letters, digits and single hyphens")
        }
        let timezone = yaml.string("timezone")
        if let timezone, !TimeZones.isIANAName(timezone) {
            yaml.report(yaml.line(of: "timezone"), "timezone", TimeZones.databaseProblem ?? "\"\(timezone)\" is not an IANA time zone such as Africa/Nairobi")
        }
        var currency = defaultCurrency
        if let code = yaml.string("currency") {
            if Money.isCurrencyCode(code) { currency = code } else {
                yaml.report(yaml.line(of: "currency"), "currency", "\"\(code)\" is not an ISO 4217 code such as USD")
            }
        }
        var rate: Money?
        if let text = yaml.decimalText("hourly_rate") {
            rate = Money(decimal: text, currency: currency)
            if rate == nil {
                yaml.report(yaml.line(of: "hourly_rate"), "hourly_rate", "\"\(text)\" has more decimals than \(currency) allows or is too large")
            }
        }
        let avatar = yaml.string("avatar_url")
        if let avatar, !isSafeURL(avatar) {
            yaml.report(yaml.line(of: "avatar_url"), "avatar_url", "\"\(avatar)\" must be an https URL or a path starting with /")
        }
        let meeting = yaml.string("meeting_url")
        if let meeting, !isSafeURL(meeting) || !meeting.hasPrefix("https://") || meeting.utf8.count > 500 {
            yaml.report(yaml.line(of: "meeting_url"), "meeting_url", "\"\(meeting.prefix(80))\" must be an https URL of your video room, such as https://meet.jit.si/your-room")
        }
        let email = yaml.string("email")?.lowercased()
        if let email, !EmailAddress.isValid(email) {
            yaml.report(yaml.line(of: "email"), "email", "\"\(email)\" is not one plain email address such as ana@example.org")
        }

        let education = yaml.list("education", fields: ["degree", "institution", "year"]) { item -> Education? in
            let degree = item.string("degree", required: true)
            let institution = item.string("institution", required: true)
            let year = item.integer("year", in: 1900...2100)
            guard let degree, let institution else { return nil }
            return Education(degree: degree, institution: institution, year: year)
        }
        let experience = yaml.list("experience", fields: ["title", "place", "duration"]) { item -> Experience? in
            let title = item.string("title", required: true)
            let place = item.string("place", required: true)
            let duration = item.string("duration")
            guard let title, let place else { return nil }
            return Experience(title: title, place: place, duration: duration)
        }
        let availability = yaml.list("availability", fields: ["day", "start", "end"]) { item -> (AvailabilityWindow, Int)? in
            let line = item.line(of: "day")
            let dayName = item.string("day", required: true)
            let startText = item.string("start", required: true)
            let endText = item.string("end", required: true)
            var day: Weekday?
            if let dayName {
                day = Weekday(name: dayName.lowercased())
                if day == nil { item.report(line, "day", "\"\(dayName)\" is not a day: use monday … sunday") }
            }
            let start = startText.flatMap { text -> LocalTime? in
                let time = LocalTime(text)
                if time == nil { item.report(item.line(of: "start"), "start", "\"\(text)\" is not a time HH:MM between 00:00 and 23:59") }
                return time
            }
            let end = endText.flatMap { text -> LocalTime? in
                let time = LocalTime(text)
                if time == nil { item.report(item.line(of: "end"), "end", "\"\(text)\" is not a time HH:MM between 00:00 and 23:59") }
                return time
            }
            guard let day, let start, let end else { return nil }
            guard start < end else {
                item.report(item.line(of: "end"), "end", "\(end) is not after start \(start)")
                return nil
            }
            return (AvailabilityWindow(day: day, start: start, end: end), line)
        }
        // Overlapping windows on one day would offer the same slot twice.
        for (index, (window, line)) in availability.enumerated() {
            for (other, _) in availability[..<index] where other.day == window.day && other.start < window.end && window.start < other.end {
                yaml.report(line, "availability", "\(window.day.name) \(window.start)–\(window.end) overlaps \(other.start)–\(other.end)")
            }
        }
        let blockedDates = yaml.list("blocked_dates", fields: ["date", "reason"]) { item -> BlockedDate? in
            guard let text = item.string("date", required: true) else { return nil }
            guard let date = CalendarDate(text) else {
                item.report(item.line(of: "date"), "date", "\"\(text)\" is not a real date YYYY-MM-DD")
                return nil
            }
            return BlockedDate(date: date, reason: item.string("reason"))
        }
        var seenDates = Set<CalendarDate>()
        for blocked in blockedDates where !seenDates.insert(blocked.date).inserted {
            yaml.report(yaml.line(of: "blocked_dates"), "blocked_dates", "\(blocked.date) is listed twice")
        }

        let profile = MentorProfile(
            name: name ?? "",
            explicitSlug: slug,
            title: yaml.string("title"),
            specialty: yaml.string("specialty"),
            location: yaml.string("location"),
            gender: yaml.string("gender"),
            avatarURL: avatar,
            email: email,
            bio: trimmed(bio),
            specialties: yaml.stringList("specialties"),
            languages: yaml.stringList("languages"),
            therapyTypes: yaml.stringList("therapy_types"),
            experienceYears: yaml.integer("experience_years", in: 0...80),
            reviewCount: yaml.integer("review_count", in: 0...10_000_000),
            rating: yaml.decimal("rating", in: 0...5),
            hourlyRate: rate,
            sessionMinutes: yaml.integer("session_minutes", in: 10...480) ?? MentorProfile.defaultSessionMinutes,
            timezone: timezone,
            education: education,
            experience: experience,
            availability: availability.map(\.0),
            blockedDates: blockedDates.sorted { $0.date < $1.date },
            meetingURL: meeting)
        if !profile.availability.isEmpty && timezone == nil {
            yaml.report(yaml.line(of: "availability"), "timezone", "is required when availability is given (an IANA name such as Africa/Nairobi)")
        }
        if !yaml.diagnostics.isEmpty { return .failure(Diagnostics(yaml.diagnostics.sorted())) }
        return .success(profile)
    }

    /// The text without leading and trailing whitespace, on bytes.
    public static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    /// Links that may appear in `src`/`href` attributes: https URLs or site paths.
    public static func isSafeURL(_ text: String) -> Bool {
        guard !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }) else { return false }
        return text.hasPrefix("https://") || (text.hasPrefix("/") && !text.hasPrefix("//"))
    }
}
