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
        self.mentors = mentors.sorted { ($0.profile.name.lowercased(), $0.slug) < ($1.profile.name.lowercased(), $1.slug) }
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

/// Every URL the site publishes, relative to the site root (which may be a sub-path of
/// the host, e.g. `https://example.org/mentors-site`).
public struct URLs: Sendable {
    /// The path part of `base_url`, without a trailing slash (often empty).
    public let root: String
    public let base: String
    public let booking: String

    public init(config: SiteConfig) {
        base = config.baseURL
        var path = ""
        if let schemeEnd = base.range(of: "://"), let slash = base[schemeEnd.upperBound...].firstIndex(of: "/") {
            path = String(base[slash...])
        }
        root = path.hasSuffix("/") ? String(path.dropLast()) : path
        booking = config.bookingURL
    }

    public var home: String { root + "/" }
    public func mentor(_ slug: String) -> String { root + "/mentors/\(slug)/" }
    public func specialty(_ slug: String) -> String { root + "/specialties/\(slug)/" }
    public func page(_ slug: String) -> String { root + "/\(slug)/" }
    public func asset(_ name: String) -> String { root + "/assets/\(name)" }
    public func bookingLink(_ slug: String) -> String { booking + "?mentor=" + HTML.percentEncode(slug) }

    /// An absolute URL for a root-relative path.
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        let host = root.isEmpty ? base : String(base.dropLast(root.count))
        return host + path
    }

    /// The file that serves a URL path (`/mentors/ana/` → `mentors/ana/index.html`).
    public func file(for path: String) -> String {
        var relative = String(path.dropFirst(root.count))
        if relative.hasPrefix("/") { relative.removeFirst() }
        return relative.isEmpty || relative.hasSuffix("/") ? relative + "index.html" : relative
    }
}
