import CommonMark
import MentorCore
import TemplateEngine

/// Builds the values templates see. Templates get these purpose-built values, never
/// database records; every string is escaped by Mustache's `{{…}}` except the rendered
/// bio and the JSON-LD, which the generator made safe itself.
/// Read-only after `init`, so sharing it between render threads is safe.
struct PageContext: @unchecked Sendable {
    let site: Site
    let urls: URLs
    let assets: [String: String]
    /// The `site` and `assets` values, the same on every page: built once.
    let siteValues: TemplateValue
    let assetValues: TemplateValue

    init(site: Site, assets: [String: String]) {
        self.site = site
        self.urls = URLs(config: site.config)
        self.assets = assets
        self.siteValues = .object(Self.siteValues(site: site, urls: urls))
        self.assetValues = .object(assets.mapValues { .text($0) })
    }

    /// A copy with its own `siteValues`, for one render thread.
    func privateCopy() -> PageContext {
        PageContext(site: site, assets: assets)
    }

    static func siteValues(site: Site, urls: URLs) -> [String: TemplateValue] {
        [
            "name": .text(site.config.siteName),
            "tagline": .text(site.config.tagline),
            "language": .text(site.config.language),
            "og_locale": .text(site.config.ogLocale),
            "home": .text(urls.home),
            "base_url": .text(site.config.baseURL),
            "booking_url": .text(urls.booking),
            "pages": .list(site.pages.map { ["title": .text($0.title), "url": .text(urls.page($0.slug))] }),
            "specialties_url": .text(urls.home + "#specialties"),
        ]
    }

    /// The values every page shares: `site`, `assets` and `page`.
    func page(title: String, description: String, path: String, type: String = "website", noindex: Bool = false,
              image: String? = nil, jsonLD: String? = nil, extra: [String: TemplateValue] = [:]) -> [String: TemplateValue] {
        var page: [String: TemplateValue] = [
            "title": .text(title),
            "description": .text(description),
            "canonical": .text(urls.absolute(path)),
            "og_type": .text(type),
            "noindex": .flag(noindex),
        ]
        page["has_canonical"] = true
        // Social networks show raster pictures only (no SVG): the page's own photo when it is
        // one, else the site's share image (templates/assets/share.png, 1200×630).
        if let image, Self.isRaster(image) {
            page["image"] = .text(urls.absolute(image))
        } else if let share = shareImage {
            page["image"] = .text(urls.absolute(share))
            page["image_width"] = "1200"
            page["image_height"] = "630"
            page["large_image"] = true
        }
        page["has_image"] = .flag(page["image"] != nil)
        page["image_alt"] = .text(image != nil && Self.isRaster(image!) ? "Portrait of \(title)" : site.config.siteName)
        page.setOptional("json_ld", jsonLD)
        var context: [String: TemplateValue] = ["site": siteValues, "assets": assetValues, "page": .object(page)]
        for (key, value) in extra { context[key] = value }
        return context
    }

    /// The site's share image, when `templates/assets/share.png` exists.
    var shareImage: String? {
        if case .object(let assets) = assetValues, case .text(let url)? = assets["share_png"] { return url }
        return nil
    }

    /// True for a URL of a PNG, JPEG or WebP picture (judged by its path's extension).
    static func isRaster(_ url: String) -> Bool {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let lower = path.lowercased()
        return [".png", ".jpg", ".jpeg", ".webp"].contains { lower.hasSuffix($0) }
    }

    // MARK: Mentors

    func avatarSource(for mentor: Mentor) -> String {
        mentor.profile.avatarURL ?? urls.mentor(mentor.slug) + "avatar.svg"
    }

    func avatar(for mentor: Mentor) -> TemplateValue {
        ["src": .text(avatarSource(for: mentor)), "alt": "Portrait of \(mentor.profile.name)", "width": "160", "height": "160"]
    }

    /// The values of a mentor card (directory, specialty pages and the profile's header).
    /// Optional values come with a `has_…` flag.
    func card(for mentor: Mentor, excerpt: String) -> [String: TemplateValue] {
        let p = mentor.profile
        var card: [String: TemplateValue] = [
            "name": .text(p.name),
            "url": .text(urls.mentor(mentor.slug)),
            "avatar": avatar(for: mentor),
            "specialties": specialtyLinks(p.allSpecialties.prefix(3)),
            "excerpt": .text(excerpt),
            "booking_href": .text(urls.bookingLink(mentor.slug)),
            "slots_url": .text(urls.slotsLink(mentor.slug)),
        ]
        card.setOptional("languages", p.languages.isEmpty ? nil : p.languages.joined(separator: ", "))
        card.setOptional("title", p.title)
        card.setOptional("location", p.location)
        card.setOptional("rate", p.hourlyRate.map { "\($0.formatted) / hour" })
        card.setOptional("rating", p.rating.map(formatRating))
        card.setOptional("review_count", p.reviewCount.flatMap { $0 > 0 ? String($0) : nil })
        // A dated badge, only when an operator verified the credentials (`mentorsite verify`).
        card.setOptional("verified_on", mentor.verifiedAt.flatMap(Self.longDate))
        card.setOptional("verified_date", mentor.verifiedAt.map(Timestamp.datePart))
        return card
    }

    /// `2026-12-01T…` → `1 December 2026`.
    static func longDate(_ timestamp: String) -> String? {
        guard let date = CalendarDate(Timestamp.datePart(timestamp)) else { return nil }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// `{name, url}` of each specialty's page.
    func specialtyLinks(_ names: some Sequence<String>) -> TemplateValue {
        .list(names.map { ["name": .text($0), "url": .text(urls.specialty(specialtySlug($0)))] })
    }

    /// Specialty slugs, made once per build (ICU transliteration is not free).
    func specialtySlug(_ name: String) -> String {
        site.specialtySlugs[name] ?? Slug.make(from: name)
    }

    func formatRating(_ rating: Double) -> String {
        let tenths = Int((rating * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// The mentor's weekly hours, Monday first, windows of one day joined.
    func availability(for profile: MentorProfile) -> TemplateValue {
        let byDay = Dictionary(grouping: profile.availability, by: \.day)
        return .list(byDay.keys.sorted().map { day in
            let windows = byDay[day]!.sorted { $0.start < $1.start }
            return ["day": .text(day.displayName), "hours": .text(windows.map { "\($0.start)–\($0.end)" }.joined(separator: ", "))]
        })
    }

    /// - Parameter card: the mentor's card values, when already built for the listings.
    func mentorPage(_ mentor: Mentor, bio: Markdown.Rendered, card cardValues: [String: TemplateValue]? = nil) -> [String: TemplateValue] {
        let p = mentor.profile
        let path = urls.mentor(mentor.slug)
        let lead = [p.name, p.title].compactMap { $0 }.joined(separator: ", ") + (p.location.map { " in \($0)." } ?? ".")
        let description = SEO.metaDescription(plainText: bio.plainText, lead: lead)
        let title = [p.name, p.title].compactMap { $0 }.joined(separator: " – ") + " | " + site.config.siteName
        let avatar = avatarSource(for: mentor)
        let primary = p.allSpecialties.first
        var mentorValues = cardValues ?? card(for: mentor, excerpt: description)
        mentorValues["bio_html"] = .text(bio.html)
        mentorValues["specialties"] = specialtyLinks(p.allSpecialties)
        mentorValues["languages"] = .list(p.languages.map { ["name": .text($0), "url": .text(urls.language(site.languageSlugs[$0] ?? Slug.make(from: $0)))] })
        mentorValues["therapy_types"] = .list(p.therapyTypes.map { .text($0) })
        mentorValues["education"] = .list(p.education.map { item -> TemplateValue in
            var value: [String: TemplateValue] = ["degree": .text(item.degree), "institution": .text(item.institution)]
            value.setOptional("year", item.year.map(String.init))
            return .object(value)
        })
        mentorValues["experience"] = .list(p.experience.map { item -> TemplateValue in
            var value: [String: TemplateValue] = ["title": .text(item.title), "place": .text(item.place)]
            value.setOptional("duration", item.duration)
            return .object(value)
        })
        mentorValues["availability"] = availability(for: p)
        if let zone = p.timezone {
            mentorValues["timezone"] = .text(zone)
            mentorValues["timezone_city"] = .text(zone.split(separator: "/").last.map { $0.replacingOccurrences(of: "_", with: " ") } ?? zone)
        }
        mentorValues["session_minutes"] = .text(String(p.sessionMinutes))
        mentorValues.setOptional("session_price", p.hourlyRate.map { $0.forSession(minutes: p.sessionMinutes).formatted })
        mentorValues.setOptional("experience_years", p.experienceYears.map(String.init))
        mentorValues.setOptional("gender", p.gender)
        mentorValues["bookable"] = .flag(p.timezone != nil && !p.availability.isEmpty && !mentor.isPaused)
        mentorValues["has_specialties"] = .flag(!p.allSpecialties.isEmpty)
        mentorValues["has_therapy_types"] = .flag(!p.therapyTypes.isEmpty)
        mentorValues["has_languages"] = .flag(!p.languages.isEmpty)
        mentorValues["has_education"] = .flag(!p.education.isEmpty)
        mentorValues["has_experience"] = .flag(!p.experience.isEmpty)
        mentorValues["has_availability"] = .flag(!p.availability.isEmpty)
        let specialtyValue: TemplateValue? = primary.map { ["name": .text($0), "url": .text(urls.specialty(specialtySlug($0)))] }

        var breadcrumbs: [(String, String)] = [("Mentors", urls.home)]
        if let primary { breadcrumbs.append((primary, urls.specialty(specialtySlug(primary)))) }
        breadcrumbs.append((p.name, path))
        let jsonLD = JSON.object([
            "@context": .string("https://schema.org"),
            "@graph": .array([
                JSON.object([
                    "@type": .string("ProfilePage"),
                    "@id": .string(urls.absolute(path)),
                    "url": .string(urls.absolute(path)),
                    "name": .string(title),
                    "inLanguage": .string(site.config.language),
                    "dateCreated": .string(mentor.createdAt),
                    "dateModified": .string(mentor.updatedAt),
                    "breadcrumb": .object([("@id", .string(urls.absolute(path) + "#breadcrumb"))]),
                    "mainEntity": JSON.object([
                        "@type": .string("Person"),
                        "@id": .string(urls.absolute(path) + "#person"),
                        "name": .string(p.name),
                        "url": .string(urls.absolute(path)),
                        "image": .string(urls.absolute(avatar)),
                        "jobTitle": p.title.map { .string($0) },
                        "description": .string(description),
                        "address": p.location.map { .object([("@type", .string("PostalAddress")), ("addressLocality", .string($0))]) },
                        "knowsAbout": p.allSpecialties.isEmpty ? nil : .array(p.allSpecialties.map { .string($0) }),
                        "knowsLanguage": p.languages.isEmpty ? nil : .array(p.languages.map { .string($0) }),
                        "alumniOf": p.education.isEmpty ? nil : .array(p.education.map {
                            .object([("@type", .string("EducationalOrganization")), ("name", .string($0.institution))])
                        }),
                    ]),
                ]),
                breadcrumbList(breadcrumbs, id: urls.absolute(path) + "#breadcrumb"),
            ]),
        ]).text

        var extra: [String: TemplateValue] = ["mentor": .object(mentorValues), "breadcrumbs": breadcrumbValues(breadcrumbs)]
        if let specialtyValue { extra["primary_specialty"] = specialtyValue }
        return page(title: title, description: description, path: path, type: "profile",
                    image: avatar, jsonLD: jsonLD, extra: extra)
    }

    func breadcrumbList(_ items: [(String, String)], id: String) -> JSON {
        .object([
            ("@type", .string("BreadcrumbList")),
            ("@id", .string(id)),
            ("itemListElement", .array(items.enumerated().map { index, item in
                .object([
                    ("@type", .string("ListItem")),
                    ("position", .number(String(index + 1))),
                    ("name", .string(item.0)),
                    ("item", .string(urls.absolute(item.1))),
                ])
            })),
        ])
    }

    func breadcrumbValues(_ items: [(String, String)]) -> TemplateValue {
        .list(items.enumerated().map { index, item in
            ["name": .text(item.0), "url": .text(item.1), "current": .flag(index == items.count - 1)]
        })
    }
}
