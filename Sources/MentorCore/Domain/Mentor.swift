/// Everything a content file says about a mentor: the seed schema's profile columns plus
/// the rows of its child tables. Plain values, compared whole to detect changes.
public struct MentorProfile: Equatable, Sendable {
    public var name: String
    /// Set only when the content file fixes the slug; otherwise it is made from the name.
    public var explicitSlug: String?
    public var title: String?
    public var specialty: String?
    public var location: String?
    public var gender: String?
    public var avatarURL: String?
    /// The mentor's own video room (https), used as every session's join link; without it
    /// each session gets a room of its own from `meeting_url_pattern`. Shown only to the
    /// mentor and their patients.
    public var meetingURL: String?
    /// Where booking notices for this mentor go (lowercase). Never shown on a page.
    public var email: String?
    /// The bio in CommonMark. The database keeps `bio` and `about` equal (the seed's sync rule).
    public var bio: String
    public var specialties: [String]
    public var languages: [String]
    public var therapyTypes: [String]
    public var experienceYears: Int?
    public var reviewCount: Int?
    public var rating: Double?
    public var hourlyRate: Money?
    public var sessionMinutes: Int
    public var timezone: String?
    public var education: [Education]
    public var experience: [Experience]
    public var availability: [AvailabilityWindow]
    public var blockedDates: [BlockedDate]

    public static let defaultSessionMinutes = 50

    public init(
        name: String, explicitSlug: String? = nil, title: String? = nil, specialty: String? = nil,
        location: String? = nil, gender: String? = nil, avatarURL: String? = nil, email: String? = nil, bio: String = "",
        specialties: [String] = [], languages: [String] = [], therapyTypes: [String] = [],
        experienceYears: Int? = nil, reviewCount: Int? = nil, rating: Double? = nil, hourlyRate: Money? = nil,
        sessionMinutes: Int = MentorProfile.defaultSessionMinutes, timezone: String? = nil,
        education: [Education] = [], experience: [Experience] = [],
        availability: [AvailabilityWindow] = [], blockedDates: [BlockedDate] = [], meetingURL: String? = nil
    ) {
        self.name = name
        self.explicitSlug = explicitSlug
        self.title = title
        self.specialty = specialty
        self.location = location
        self.gender = gender
        self.avatarURL = avatarURL
        self.email = email
        self.bio = bio
        self.specialties = specialties
        self.languages = languages
        self.therapyTypes = therapyTypes
        self.experienceYears = experienceYears
        self.reviewCount = reviewCount
        self.rating = rating
        self.hourlyRate = hourlyRate
        self.sessionMinutes = sessionMinutes
        self.timezone = timezone
        self.education = education
        self.experience = experience
        self.availability = availability
        self.blockedDates = blockedDates
        self.meetingURL = meetingURL
    }

    /// The primary specialty first, then the others, without repeats.
    public var allSpecialties: [String] {
        var seen = Set<String>()
        return ([specialty].compactMap { $0 } + specialties).filter { seen.insert($0).inserted }
    }
}

public struct Education: Equatable, Sendable {
    public var degree: String
    public var institution: String
    public var year: Int?
    public init(degree: String, institution: String, year: Int?) {
        self.degree = degree
        self.institution = institution
        self.year = year
    }
}

public struct Experience: Equatable, Sendable {
    public var title: String
    public var place: String
    public var duration: String?
    public init(title: String, place: String, duration: String?) {
        self.title = title
        self.place = place
        self.duration = duration
    }
}

/// Weekly hours in the mentor's own time zone.
public struct AvailabilityWindow: Equatable, Sendable {
    public var day: Weekday
    public var start: LocalTime
    public var end: LocalTime
    public init(day: Weekday, start: LocalTime, end: LocalTime) {
        self.day = day
        self.start = start
        self.end = end
    }
}

public struct BlockedDate: Equatable, Sendable {
    public var date: CalendarDate
    public var reason: String?
    public init(date: CalendarDate, reason: String?) {
        self.date = date
        self.reason = reason
    }
}

/// A mentor as stored: the profile plus its identity and published URLs.
public struct Mentor: Equatable, Sendable {
    /// UUID text, stable across renames.
    public var id: String
    /// The content file this mentor comes from, relative to the content folder.
    public var sourcePath: String
    public var slug: String
    /// Slugs this mentor was published under before; each redirects to `slug`.
    public var previousSlugs: [String]
    public var profile: MentorProfile
    /// Dates the mentor blocked on the dashboard (not in the content file).
    public var dashboardBlockedDates: [BlockedDate] = []
    /// The mentor paused bookings on the dashboard: listed, but not bookable.
    public var isPaused = false
    /// When an operator last verified the mentor's credentials (`mentorsite verify`), as an
    /// ISO 8601 UTC instant; nil when never, or withdrawn.
    public var verifiedAt: String?
    /// When the profile was last changed on the web and the content file not yet updated.
    public var webEditedAt: String?
    /// Listed in the directory (a mentor whose file was removed stays, inactive).
    public var isActive = true
    /// ISO 8601 UTC instants.
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, sourcePath: String, slug: String, previousSlugs: [String], profile: MentorProfile, createdAt: String, updatedAt: String) {
        self.id = id
        self.sourcePath = sourcePath
        self.slug = slug
        self.previousSlugs = previousSlugs
        self.profile = profile
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Mentor {
    /// Every date the mentor cannot be booked: from the content file and the dashboard.
    public var allBlockedDates: Set<CalendarDate> {
        Set(profile.blockedDates.map(\.date) + dashboardBlockedDates.map(\.date))
    }
}

extension MentorProfile {
    /// The content keys whose values differ in `other`, in the order of the content contract.
    public func changedFields(to other: MentorProfile) -> [String] {
        var fields: [String] = []
        func note(_ key: String, _ changed: Bool) { if changed { fields.append(key) } }
        note("name", name != other.name)
        note("slug", explicitSlug != other.explicitSlug)
        note("title", title != other.title)
        note("specialty", specialty != other.specialty)
        note("specialties", specialties != other.specialties)
        note("languages", languages != other.languages)
        note("therapy_types", therapyTypes != other.therapyTypes)
        note("location", location != other.location)
        note("gender", gender != other.gender)
        note("avatar_url", avatarURL != other.avatarURL)
        note("email", email != other.email)
        note("meeting_url", meetingURL != other.meetingURL)
        note("bio", bio != other.bio)
        note("experience_years", experienceYears != other.experienceYears)
        note("review_count", reviewCount != other.reviewCount)
        note("rating", rating != other.rating)
        note("hourly_rate", hourlyRate?.decimalText != other.hourlyRate?.decimalText)
        note("currency", hourlyRate?.currency != other.hourlyRate?.currency)
        note("session_minutes", sessionMinutes != other.sessionMinutes)
        note("timezone", timezone != other.timezone)
        note("education", education != other.education)
        note("experience", experience != other.experience)
        note("availability", availability != other.availability)
        note("blocked_dates", blockedDates != other.blockedDates)
        return fields
    }
}
