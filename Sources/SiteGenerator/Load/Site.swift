import Foundation
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
    /// Every language any mentor speaks, by slug (`/languages/<slug>/`); `mentorSlugs` in
    /// directory order.
    public var languages: [Specialty]
    public var pages: [PageSource]
    /// Old mentor URLs and where they now point.
    public var redirects: [Redirect]
    /// Specialty name → slug, for every specialty any mentor lists.
    public var specialtySlugs: [String: String]
    /// Language name → slug, for every language any mentor speaks.
    public var languageSlugs: [String: String]

    public init(config: SiteConfig, mentors: [Mentor], pages: [PageSource]) {
        self.config = config
        // By name, then slug. Each name is lowered and composed (NFC) once, and its UTF-8
        // compared byte by byte, which orders as String comparison does (by code point of the
        // composed form) without normalising at every comparison; indices are sorted, so
        // each mentor is copied once.
        let keys = mentors.map { Array($0.profile.name.lowercased().precomposedStringWithCanonicalMapping.utf8) }
        let order = mentors.indices.sorted { a, b in
            keys[a] == keys[b] ? mentors[a].slug < mentors[b].slug : keys[a].lexicographicallyPrecedes(keys[b])
        }
        self.mentors = order.map { mentors[$0] }
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
        var languagesBySlug: [String: Specialty] = [:]
        var languageSlugs: [String: String] = [:]
        for mentor in self.mentors {
            for name in Set(mentor.profile.languages).sorted() {
                let slug: String
                if let known = languageSlugs[name] { slug = known } else {
                    slug = Slug.make(from: name)
                    languageSlugs[name] = slug
                }
                // A mentor lists a language once, however its spellings fold.
                if languagesBySlug[slug]?.mentorSlugs.last == mentor.slug { continue }
                languagesBySlug[slug, default: Specialty(name: name, slug: slug, mentorSlugs: [])].mentorSlugs.append(mentor.slug)
            }
        }
        self.languages = languagesBySlug.values.sorted { $0.slug < $1.slug }
        self.languageSlugs = languageSlugs
        self.pages = pages.sorted { $0.slug < $1.slug }
        let paths = URLs(config: config)
        self.redirects = self.mentors.flatMap { mentor in
            mentor.previousSlugs.map { Redirect(from: paths.mentor($0), to: paths.mentor(mentor.slug)) }
        }.sorted { $0.from < $1.from }
    }
}
