/// The seed's profile completeness indicator and guide: how much of a profile a visitor
/// will see, as a percentage, what is missing, and why each part matters to patients.
public struct Completeness: Equatable, Sendable {
    public var percent: Int
    /// Content keys (with a note on what counts), in the order they are reported.
    public var missing: [String]

    /// One part of a profile: its content key, what counts, and why patients care.
    public struct Part: Sendable {
        public let key: String
        public let label: String
        public let why: String
        let isPresent: @Sendable (MentorProfile) -> Bool
    }

    /// Parts counted, in the order they are reported.
    public static let parts: [Part] = [
        Part(key: "title", label: "title", why: "Patients look for a qualification they recognise.", isPresent: { $0.title != nil }),
        Part(key: "specialty", label: "specialty", why: "Patients search by what they want to talk about.",
             isPresent: { $0.specialty != nil || !$0.specialties.isEmpty }),
        Part(key: "bio", label: "bio (at least 50 words)", why: "Your own words are what patients read most before they book.",
             isPresent: { $0.bio.split(whereSeparator: \.isWhitespace).count >= 50 }),
        Part(key: "avatar_url", label: "avatar_url", why: "A face makes it easier to choose someone to talk to.", isPresent: { $0.avatarURL != nil }),
        Part(key: "location", label: "location", why: "Some patients look for someone near them or in their region.", isPresent: { $0.location != nil }),
        Part(key: "languages", label: "languages", why: "Patients need to know you speak their language.", isPresent: { !$0.languages.isEmpty }),
        Part(key: "therapy_types", label: "therapy_types", why: "Patients who know an approach look for it.", isPresent: { !$0.therapyTypes.isEmpty }),
        Part(key: "experience_years", label: "experience_years", why: "Years of practice reassure patients who are unsure.",
             isPresent: { $0.experienceYears != nil }),
        Part(key: "education", label: "education", why: "Training and degrees build trust.", isPresent: { !$0.education.isEmpty }),
        Part(key: "experience", label: "experience", why: "Where you have worked shows what you know.", isPresent: { !$0.experience.isEmpty }),
        Part(key: "hourly_rate", label: "hourly_rate", why: "Patients plan what they can afford before they book.", isPresent: { $0.hourlyRate != nil }),
        Part(key: "timezone", label: "timezone", why: "Without it nobody can book you: every time depends on it.", isPresent: { $0.timezone != nil }),
        Part(key: "availability", label: "availability", why: "Without weekly hours nobody can book you.", isPresent: { !$0.availability.isEmpty }),
    ]

    /// The parts this profile lacks.
    public let missingParts: [Part]

    public init(_ profile: MentorProfile) {
        // The name is required, so it always counts.
        missingParts = Self.parts.filter { !$0.isPresent(profile) }
        missing = missingParts.map(\.label)
        let total = Self.parts.count + 1
        percent = (total - missing.count) * 100 / total
    }

    public static func == (lhs: Completeness, rhs: Completeness) -> Bool {
        lhs.percent == rhs.percent && lhs.missing == rhs.missing
    }
}
