import MentorCore

/// The seed's profile completeness indicator: how much of a profile a visitor will see,
/// as a percentage, with what is missing.
public struct Completeness: Equatable, Sendable {
    public var percent: Int
    public var missing: [String]

    /// Fields counted, in the order they are reported.
    static let fields: [(String, @Sendable (MentorProfile) -> Bool)] = [
        ("title", { $0.title != nil }),
        ("specialty", { $0.specialty != nil || !$0.specialties.isEmpty }),
        ("bio (at least 50 words)", { $0.bio.split(whereSeparator: \.isWhitespace).count >= 50 }),
        ("avatar_url", { $0.avatarURL != nil }),
        ("location", { $0.location != nil }),
        ("languages", { !$0.languages.isEmpty }),
        ("therapy_types", { !$0.therapyTypes.isEmpty }),
        ("experience_years", { $0.experienceYears != nil }),
        ("education", { !$0.education.isEmpty }),
        ("experience", { !$0.experience.isEmpty }),
        ("hourly_rate", { $0.hourlyRate != nil }),
        ("timezone", { $0.timezone != nil }),
        ("availability", { !$0.availability.isEmpty }),
    ]

    public init(_ profile: MentorProfile) {
        // The name is required, so it always counts.
        missing = Self.fields.filter { !$0.1(profile) }.map(\.0)
        let total = Self.fields.count + 1
        percent = (total - missing.count) * 100 / total
    }
}
