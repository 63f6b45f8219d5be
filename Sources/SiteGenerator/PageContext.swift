import MentorCore

/// Builds the values templates see. Templates get these purpose-built dictionaries, never
/// database records; every string is escaped by Mustache's `{{…}}` except the rendered
/// bio and the JSON-LD, which the generator made safe itself.
/// Read-only after `init`, so sharing it between render threads is safe.
struct PageContext: @unchecked Sendable {
    let site: Site
    let urls: URLs
    let assets: [String: String]
    /// The `site` values, the same on every page: built once.
    let siteValues: [String: Any]

    init(site: Site, assets: [String: String]) {
        self.site = site
        self.urls = URLs(config: site.config)
        self.assets = assets
        self.siteValues = Self.siteValues(site: site, urls: urls)
    }

    /// A copy with its own `siteValues`, for one render thread.
    func privateCopy() -> PageContext {
        PageContext(site: site, assets: assets)
    }

    static func siteValues(site: Site, urls: URLs) -> [String: Any] {
        [
            "name": site.config.siteName,
            "tagline": site.config.tagline,
            "language": site.config.language,
            "home": urls.home,
            "base_url": site.config.baseURL,
            "booking_url": urls.booking,
            "pages": site.pages.map { ["title": $0.title, "url": urls.page($0.slug)] as [String: Any] },
            "specialties_url": urls.home + "#specialties",
        ]
    }

    /// The values every page shares: `site`, `assets` and `page`.
    func page(title: String, description: String, path: String, type: String = "website", noindex: Bool = false,
              image: String? = nil, jsonLD: String? = nil, extra: [String: Any] = [:]) -> [String: Any] {
        var page: [String: Any] = [
            "title": title,
            "description": description,
            "canonical": urls.absolute(path),
            "og_type": type,
            "noindex": noindex,
        ]
        page.set("image", image.map(urls.absolute))
        page.set("json_ld", jsonLD)
        var context: [String: Any] = ["site": siteValues, "assets": assets, "page": page]
        for (key, value) in extra { context[key] = value }
        return context
    }

    // MARK: Mentors

    func avatar(for mentor: Mentor) -> [String: Any] {
        let src = mentor.profile.avatarURL ?? urls.mentor(mentor.slug) + "avatar.svg"
        return ["src": src, "alt": "Portrait of \(mentor.profile.name)", "width": "160", "height": "160"]
    }

    /// The values of a mentor card (directory, specialty pages and the profile's header).
    /// Optional values come with a `has_…` flag: a section on a Bool costs the renderer far
    /// less than a section on a string, which it pushes and reflects on.
    func card(for mentor: Mentor, excerpt: String) -> [String: Any] {
        let p = mentor.profile
        var card: [String: Any] = [
            "name": p.name,
            "url": urls.mentor(mentor.slug),
            "avatar": avatar(for: mentor),
            "specialties": p.allSpecialties.prefix(3).map { ["name": $0, "url": urls.specialty(specialtySlug($0))] as [String: Any] },
            "excerpt": excerpt,
            "booking_href": urls.bookingLink(mentor.slug),
            "slots_url": urls.slotsLink(mentor.slug),
        ]
        card.set("languages", p.languages.isEmpty ? nil : p.languages.joined(separator: ", "))
        card.set("title", p.title)
        card.set("location", p.location)
        card.set("rate", p.hourlyRate.map { "\($0.formatted) / hour" })
        card.set("rating", p.rating.map(formatRating))
        card.set("review_count", p.reviewCount.flatMap { $0 > 0 ? String($0) : nil })
        return card
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
    func availability(for profile: MentorProfile) -> [[String: Any]] {
        let byDay = Dictionary(grouping: profile.availability, by: \.day)
        return byDay.keys.sorted().map { day in
            let windows = byDay[day]!.sorted { $0.start < $1.start }
            return ["day": day.displayName, "hours": windows.map { "\($0.start)–\($0.end)" }.joined(separator: ", ")]
        }
    }

    /// - Parameter card: the mentor's card values, when already built for the listings.
    func mentorPage(_ mentor: Mentor, bio: Markdown.Rendered, card cardValues: [String: Any]? = nil) -> [String: Any] {
        let p = mentor.profile
        let path = urls.mentor(mentor.slug)
        let lead = [p.name, p.title].compactMap { $0 }.joined(separator: ", ") + (p.location.map { " in \($0)." } ?? ".")
        let description = SEO.metaDescription(plainText: bio.plainText, lead: lead)
        let title = [p.name, p.title].compactMap { $0 }.joined(separator: " – ") + " | " + site.config.siteName
        let avatar = avatar(for: mentor)
        let primary = p.allSpecialties.first
        var mentorValues = cardValues ?? card(for: mentor, excerpt: description)
        mentorValues["bio_html"] = bio.html
        mentorValues["specialties"] = p.allSpecialties.map { ["name": $0, "url": urls.specialty(specialtySlug($0))] as [String: Any] }
        mentorValues["languages"] = p.languages
        mentorValues["therapy_types"] = p.therapyTypes
        mentorValues["education"] = p.education.map { item -> [String: Any] in
            var value: [String: Any] = ["degree": item.degree, "institution": item.institution]
            value.set("year", item.year.map(String.init))
            return value
        }
        mentorValues["experience"] = p.experience.map { item -> [String: Any] in
            var value: [String: Any] = ["title": item.title, "place": item.place]
            value.set("duration", item.duration)
            return value
        }
        mentorValues["availability"] = availability(for: p)
        if let zone = p.timezone {
            mentorValues["timezone"] = zone
            mentorValues["timezone_city"] = zone.split(separator: "/").last.map { $0.replacingOccurrences(of: "_", with: " ") } ?? zone
        }
        mentorValues["session_minutes"] = String(p.sessionMinutes)
        mentorValues.set("session_price", p.hourlyRate.map { $0.forSession(minutes: p.sessionMinutes).formatted })
        mentorValues.set("experience_years", p.experienceYears.map(String.init))
        mentorValues.set("gender", p.gender)
        mentorValues["bookable"] = p.timezone != nil && !p.availability.isEmpty
        mentorValues["has_specialties"] = !p.allSpecialties.isEmpty
        mentorValues["has_therapy_types"] = !p.therapyTypes.isEmpty
        mentorValues["has_languages"] = !p.languages.isEmpty
        mentorValues["has_education"] = !p.education.isEmpty
        mentorValues["has_experience"] = !p.experience.isEmpty
        mentorValues["has_availability"] = !p.availability.isEmpty
        let specialtyValue: [String: Any]? = primary.map { ["name": $0, "url": urls.specialty(specialtySlug($0))] }

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
                        "image": .string(urls.absolute(avatar["src"] as! String)),
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

        var extra: [String: Any] = ["mentor": mentorValues, "breadcrumbs": breadcrumbValues(breadcrumbs)]
        if let specialtyValue { extra["primary_specialty"] = specialtyValue }
        return page(title: title, description: description, path: path, type: "profile",
                    image: avatar["src"] as? String, jsonLD: jsonLD, extra: extra)
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

    func breadcrumbValues(_ items: [(String, String)]) -> [[String: Any]] {
        items.enumerated().map { index, item in
            ["name": item.0, "url": item.1, "current": index == items.count - 1]
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Sets `key` and the flag `has_key` that templates test instead of the value.
    mutating func set(_ key: String, _ value: String?) {
        if let value { self[key] = value }
        self["has_" + key] = value != nil
    }
}
