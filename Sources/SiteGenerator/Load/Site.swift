import MentorCore

/// Everything a build publishes, loaded once and never changed while rendering.
public struct Site: Sendable {
    public struct Specialty: Sendable, Equatable {
        public var name: String
        public var slug: String
        /// Slugs of the mentors listing it, in directory order.
        public var mentorSlugs: [String]
    }

    public struct Redirect: Sendable, Equatable {
        public var from: String
        public var to: String
    }

    public var config: SiteConfig
    /// Active mentors in directory order (by name, then slug).
    public var mentors: [Mentor]
    public var specialties: [Specialty]
    public var pages: [PageSource]
    /// Old mentor URLs and where they now point.
    public var redirects: [Redirect]
    /// Specialty name → slug, for every specialty any mentor lists.
    public var specialtySlugs: [String: String]

    public init(config: SiteConfig, mentors: [Mentor], pages: [PageSource]) {
        self.config = config
        // Each name lowered once, not at every comparison.
        self.mentors = mentors.map { ($0.profile.name.lowercased(), $0) }
            .sorted { ($0.0, $0.1.slug) < ($1.0, $1.1.slug) }.map(\.1)
        var bySlug: [String: Specialty] = [:]
        var slugs: [String: String] = [:]
        for mentor in self.mentors {
            for name in mentor.profile.allSpecialties {
                let slug: String
                if let known = slugs[name] { slug = known } else {
                    slug = Slug.make(from: name)
                    slugs[name] = slug
                }
                bySlug[slug, default: Specialty(name: name, slug: slug, mentorSlugs: [])].mentorSlugs.append(mentor.slug)
            }
        }
        self.specialties = bySlug.values.sorted { $0.slug < $1.slug }
        self.specialtySlugs = slugs
        self.pages = pages.sorted { $0.slug < $1.slug }
        let paths = URLs(config: config)
        self.redirects = self.mentors.flatMap { mentor in
            mentor.previousSlugs.map { Redirect(from: paths.mentor($0), to: paths.mentor(mentor.slug)) }
        }.sorted { $0.from < $1.from }
    }
}
