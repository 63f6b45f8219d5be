/// A profile as the keys and values of a content file: what `mentorsite export` writes and
/// what the mentor dashboard's forms start from. Read back with `ProfileReader`, it gives the
/// same profile (held so by a round-trip test over many profiles).
public enum ProfileWriter {
    /// Every key with a value, in the content contract's order. Text is quoted (never read
    /// as a number or a boolean), numbers are plain.
    public static func mapping(_ profile: MentorProfile) -> [(key: String, value: YAMLNode)] {
        var entries: [(String, YAMLNode)] = []
        func text(_ key: String, _ value: String?) {
            if let value { entries.append((key, quoted(value))) }
        }
        func number(_ key: String, _ value: String?) {
            if let value { entries.append((key, .scalar(value, plain: true, line: nil))) }
        }
        func list(_ key: String, _ values: [String]) {
            if !values.isEmpty { entries.append((key, .sequence(values.map(quoted), line: nil))) }
        }
        func rows(_ key: String, _ rows: [[(String, YAMLNode?)]]) {
            guard !rows.isEmpty else { return }
            entries.append((key, .sequence(rows.map { row in
                .mapping(row.compactMap { field in field.1.map { (key: field.0, value: $0, line: nil) } }, line: nil)
            }, line: nil)))
        }
        text("name", profile.name)
        text("slug", profile.explicitSlug)
        text("title", profile.title)
        text("specialty", profile.specialty)
        list("specialties", profile.specialties)
        list("languages", profile.languages)
        list("therapy_types", profile.therapyTypes)
        text("location", profile.location)
        text("gender", profile.gender)
        text("avatar_url", profile.avatarURL)
        text("email", profile.email)
        text("meeting_url", profile.meetingURL)
        number("experience_years", profile.experienceYears.map(String.init))
        number("rating", profile.rating.map(Self.decimal))
        number("review_count", profile.reviewCount.map(String.init))
        number("hourly_rate", profile.hourlyRate?.decimalText)
        text("currency", profile.hourlyRate?.currency)
        number("session_minutes", String(profile.sessionMinutes))
        text("timezone", profile.timezone)
        rows("education", profile.education.map {
            [("degree", quoted($0.degree)), ("institution", quoted($0.institution)), ("year", $0.year.map { .scalar(String($0), plain: true, line: nil) })]
        })
        rows("experience", profile.experience.map {
            [("title", quoted($0.title)), ("place", quoted($0.place)), ("duration", $0.duration.map(quoted))]
        })
        rows("availability", profile.availability.map {
            [("day", quoted($0.day.name)), ("start", quoted($0.start.description)), ("end", quoted($0.end.description))]
        })
        rows("blocked_dates", profile.blockedDates.map {
            [("date", quoted($0.date.description)), ("reason", $0.reason.map(quoted))]
        })
        return entries
    }

    static func quoted(_ text: String) -> YAMLNode { .scalar(text, plain: false, line: nil) }

    /// `4.8`, `5`: a rating as written in content files.
    static func decimal(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
