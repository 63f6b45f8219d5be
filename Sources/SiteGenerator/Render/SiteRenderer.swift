import Foundation
import CommonMark
import MentorCore
import TemplateEngine

/// Renders a `Site` with a `TemplateSet` into output files, touching no disk beyond
/// reading assets. Pages render on all cores; the result is sorted by path, so a build
/// is deterministic.
public struct SiteRenderer: Sendable {
    public let site: Site
    public let templates: TemplateSet
    /// Cards per directory or specialty page.
    public static let pageSize = 48
    /// URLs per sitemap file (the sitemaps.org limit).
    public static let sitemapLimit = 50_000

    public init(site: Site, templates: TemplateSet) {
        self.site = site
        self.templates = templates
    }

    /// Mentors rendered per batch: output reaches the writer batch by batch, so memory stays
    /// flat however many mentors there are.
    public static let batchSize = 2000

    /// Renders everything and returns it sorted by path (tests, small sites).
    public func render() throws(GeneratorError) -> [OutputFile] {
        var files: [OutputFile] = []
        try render { batch throws(GeneratorError) in files += batch }
        return files.sorted { $0.path < $1.path }
    }

    /// What an incremental build knows of the pages on disk.
    public struct Reuse: Sendable {
        /// Card HTML of the mentors whose pages stay on disk as they are.
        public var cards: [String: String]
        /// Whole profiles of the mentors to render (the site's mentors are then summaries:
        /// names, specialties, slugs and dates, all that listings, the sitemap and
        /// redirects show).
        public var rendering: [Mentor]
        /// Listing pages on disk (path → `listingKey` of what they show).
        public var listings: [String: String]
        /// The search documents (`SearchIndex.encode`) of the mentors not rendered.
        public var search: [String: String] = [:]
        /// Search index shards on disk: shard → its key and files (logical name → path).
        public var shards: [Int: Shard] = [:]

        public init(cards: [String: String], rendering: [Mentor], listings: [String: String]) {
            self.cards = cards
            self.rendering = rendering
            self.listings = listings
        }
    }

    /// One shard of the search index as written: what it holds (`key`) and its files.
    public struct Shard: Equatable, Sendable {
        public var key: String
        public var files: [String: String]

        public init(key: String, files: [String: String]) {
            self.key = key
            self.files = files
        }
    }

    /// What a render made besides files, for the next incremental build.
    public struct Rendered: Sendable {
        /// Card HTML of every mentor rendered, by slug.
        public var cards: [String: String] = [:]
        /// Every listing page's key, by path.
        public var listings: [String: String] = [:]
        /// Listing pages not rendered because the page on disk shows the same.
        public var keptListings: [String] = []
        /// The search document of every mentor rendered, by slug (as the render cache keeps it).
        public var search: [String: String] = [:]
        /// The same documents as values, for this build's index.
        var documents: [String: SearchIndex.Document] = [:]
        /// Every search shard's key and files.
        public var shards: [Int: Shard] = [:]
        /// Search files not written because their shard is as it was.
        public var keptSearchFiles: [String] = []
    }

    /// The files a mentor's page makes: the page, and the portrait placeholder when the
    /// mentor has no picture of their own.
    public static func mentorFiles(_ mentor: Mentor, urls: URLs) -> [String] {
        let page = urls.file(for: urls.mentor(mentor.slug))
        return mentor.profile.avatarURL == nil ? [page, String(page.dropLast("index.html".count)) + "avatar.svg"] : [page]
    }

    /// Renders the site, handing output to `emit` in batches. Each batch is complete files;
    /// the renderer itself never touches the output folder.
    /// - Parameter renderKeys: slug → a key of everything the mentor's page and card show
    ///   (`MentorDatabase.mentorSummaries`); listing pages are keyed by them.
    /// - Parameter reuse: render only these mentors' pages and the listing pages whose key
    ///   changed (the rest are on disk).
    /// - Parameter load: turns a batch of the mentors to render into whole profiles (the
    ///   site's mentors may be summaries); nil: they are whole already.
    @discardableResult
    public func render(renderKeys: [String: String] = [:], reusing reuse: Reuse? = nil, load: (([Mentor]) throws -> [Mentor])? = nil,
                       into emit: ([OutputFile]) throws(GeneratorError) -> Void) throws(GeneratorError) -> Rendered {
        var seen = Set<String>()
        func send(_ batch: [OutputFile]) throws(GeneratorError) {
            for file in batch where !seen.insert(file.path).inserted {
                throw GeneratorError(stage: .render, file: file.path, message: "two pages would be written to the same file")
            }
            try emit(batch)
        }
        let (assetFiles, assetURLs) = try renderAssets()
        let context = PageContext(site: site, assets: assetURLs)
        let urls = context.urls
        let templates = self.templates

        // Per mentor, on all cores, each worker with its own templates: the bio (once), the
        // card (kept for the listings) and the profile page (written with its batch).
        var cards: [String: TemplateValue] = (reuse?.cards ?? [:]).mapValues { ["html": .text($0)] }
        var rendered = Rendered()
        let rendering = reuse?.rendering ?? site.mentors
        for start in stride(from: 0, to: rendering.count, by: Self.batchSize) {
            var batch = Array(rendering[start..<min(rendering.count, start + Self.batchSize)])
            if let load {
                do {
                    batch = try load(batch)
                } catch {
                    throw GeneratorError(stage: .load, file: site.config.database, message: "cannot read mentors from the database: \(error)")
                }
            }
            // Without the index (`search: off`) no search documents are made: switching it
            // on changes the configuration, so that build renders every mentor again.
            let searching = site.config.search
            let results = parallelMap(batch, state: { (templates.privateCopy(), context.privateCopy()) }) { worker, mentor -> (card: String, document: SearchIndex.Document?, search: String, files: [OutputFile]) in
                let bio = Markdown.render(mentor.profile.bio)
                let document = searching ? SearchIndex.document(for: mentor, bioText: bio.plainText) : nil
                let search = document.map(SearchIndex.encode) ?? ""
                let cardValues = worker.1.card(for: mentor, excerpt: excerpt(bio.plainText))
                let card = worker.0.render("card", cardValues)
                let html = worker.0.renderBytes("mentor", worker.1.mentorPage(mentor, bio: bio, card: cardValues))
                let paths = Self.mentorFiles(mentor, urls: urls)
                var files = [OutputFile(path: paths[0], contents: html)]
                if paths.count > 1 {
                    files.append(OutputFile(path: paths[1], text: Avatar.svg(name: mentor.profile.name)))
                }
                return (card, document, search, files)
            }
            for (mentor, result) in zip(batch, results) {
                cards[mentor.slug] = ["html": .text(result.card)]
                rendered.cards[mentor.slug] = result.card
                if let document = result.document {
                    rendered.search[mentor.slug] = result.search
                    rendered.documents[mentor.slug] = document
                }
            }
            try send(results.flatMap(\.files))
        }
        // A mentor listed but neither rendered nor cached would leave a hole in a listing.
        if let missing = site.mentors.first(where: { cards[$0.slug] == nil }) {
            throw GeneratorError(stage: .render, file: urls.file(for: urls.mentor(missing.slug)), message: "no card for this mentor (the database changed during the build); build again")
        }

        let specialtyLinks = TemplateValue.list(site.specialties.map {
            ["name": .text($0.name), "url": .text(urls.specialty($0.slug)), "count": .text(String($0.mentorSlugs.count))]
        })
        let languageLinks = TemplateValue.list(site.languages.map {
            ["name": .text($0.name), "url": .text(urls.language($0.slug)), "count": .text(String($0.mentorSlugs.count))]
        })
        // Every listing page (the directory, each specialty and each language, 48 cards a
        // page) renders on all cores. One dimension at a time: no page per combination.
        var listings = pages(of: .directory, path: urls.home, slugs: site.mentors.map(\.slug))
        for specialty in site.specialties {
            listings += pages(of: .specialty(specialty), path: urls.specialty(specialty.slug), slugs: specialty.mentorSlugs)
        }
        for language in site.languages {
            listings += pages(of: .language(language), path: urls.language(language.slug), slugs: language.mentorSlugs)
        }
        // A listing page whose key is that of the page on disk shows the same: not rendered.
        var shared = StableHash()
        shared.add("\(site.mentors.count)")
        for specialty in site.specialties { shared.add("\(specialty.name) \(specialty.slug) \(specialty.mentorSlugs.count)") }
        for language in site.languages { shared.add("language \(language.name) \(language.slug) \(language.mentorSlugs.count)") }
        let sharedKey = shared.hex
        listings = listings.filter { listing in
            let key = listingKey(listing, shared: sharedKey, renderKeys: renderKeys)
            rendered.listings[listing.path] = key
            guard let reuse, !renderKeys.isEmpty, reuse.listings[listing.path] == key else { return true }
            rendered.keptListings.append(urls.file(for: listing.path))
            return false
        }
        let sharedListingCards = cards
        let sharedSpecialtyLinks = specialtyLinks
        let sharedLanguageLinks = languageLinks
        for start in stride(from: 0, to: listings.count, by: Self.batchSize) {
        try send(parallelMap(Array(listings[start..<min(listings.count, start + Self.batchSize)]), state: { (templates.privateCopy(), context.privateCopy()) }) { worker, listing -> OutputFile in
            let (templates, context) = worker
            let pageCards = TemplateValue.list(listing.slugs.map { sharedListingCards[$0]! })
            var paginationValues: [String: TemplateValue] = ["number": .text(String(listing.number)), "count": .text(String(listing.count)), "multiple": .flag(listing.count > 1)]
            paginationValues.setOptional("previous", listing.previous)
            paginationValues.setOptional("next", listing.next)
            let pagination = TemplateValue.object(paginationValues)
            let html: [UInt8]
            switch listing.kind {
            case .directory:
                let title = listing.number > 1 ? "Mentors, page \(listing.number) | \(site.config.siteName)" : "\(site.config.siteName): find a mentor and book a session"
                let description = "\(site.config.tagline) \(site.mentors.count) mentors for \(site.specialties.prefix(4).map { $0.name.lowercased() }.joined(separator: ", ")) and more."
                html = templates.renderBytes("directory", context.page(
                    title: title, description: SEO.metaDescription(plainText: description, lead: site.config.siteName),
                    path: listing.path, jsonLD: listing.number == 1 ? websiteJSONLD(urls) : nil,
                    extra: ["mentors": pageCards, "specialties": sharedSpecialtyLinks, "languages": sharedLanguageLinks, "pagination": pagination,
                            "mentor_count": .text(String(site.mentors.count)), "has_search": .flag(site.config.search),
                            "search_index": .text(urls.root + "/search/index.json")]))
            case .specialty(let specialty):
                let count = specialty.mentorSlugs.count
                let description = "\(count) \(count == 1 ? "mentor" : "mentors") for \(specialty.name.lowercased()) on \(site.config.siteName). Compare profiles, languages and rates, then book a private session online."
                let crumbs = [("Mentors", urls.home), (specialty.name, urls.specialty(specialty.slug))]
                let jsonLD = JSON.object([("@context", .string("https://schema.org")),
                                          ("@graph", .array([context.breadcrumbList(crumbs, id: urls.absolute(urls.specialty(specialty.slug)) + "#breadcrumb")]))]).text
                html = templates.renderBytes("specialty", context.page(
                    title: "\(specialty.name) mentors\(listing.number > 1 ? ", page \(listing.number)" : "") | \(site.config.siteName)",
                    description: SEO.metaDescription(plainText: description, lead: specialty.name),
                    path: listing.path, jsonLD: jsonLD,
                    extra: ["specialty": ["name": .text(specialty.name), "count_text": "\(count) \(count == 1 ? "mentor" : "mentors")"], "mentors": pageCards,
                            "specialties": sharedSpecialtyLinks, "pagination": pagination, "breadcrumbs": context.breadcrumbValues(crumbs)]))
            case .language(let language):
                let count = language.mentorSlugs.count
                let mentors = count == 1 ? "1 mentor who holds" : "\(count) mentors who hold"
                let description = "\(mentors) sessions in \(language.name) on \(site.config.siteName). Compare profiles, specialties and rates, then book a private session online."
                let crumbs = [("Mentors", urls.home), (language.name, urls.language(language.slug))]
                let jsonLD = JSON.object([("@context", .string("https://schema.org")),
                                          ("@graph", .array([context.breadcrumbList(crumbs, id: urls.absolute(urls.language(language.slug)) + "#breadcrumb")]))]).text
                html = templates.renderBytes("language", context.page(
                    title: "Mentors who speak \(language.name)\(listing.number > 1 ? ", page \(listing.number)" : "") | \(site.config.siteName)",
                    description: SEO.metaDescription(plainText: description, lead: language.name),
                    path: listing.path, jsonLD: jsonLD,
                    extra: ["language": ["name": .text(language.name), "count_text": .text(mentors)], "mentors": pageCards,
                            "languages": sharedLanguageLinks, "pagination": pagination, "breadcrumbs": context.breadcrumbValues(crumbs)]))
            }
            return OutputFile(path: urls.file(for: listing.path), contents: html)
        })
        }

        var files: [OutputFile] = []
        for page in site.pages {
            let body = Markdown.render(page.body)
            let path = urls.page(page.slug)
            files.append(OutputFile(path: urls.file(for: path), text: templates.render("page", context.page(
                title: "\(page.title) | \(site.config.siteName)",
                description: page.description ?? SEO.metaDescription(plainText: body.plainText, lead: page.title),
                path: path, extra: ["content": ["title": .text(page.title), "html": .text(body.html)]]))))
        }
        files.append(OutputFile(path: "404.html", text: templates.render("404", context.page(
            title: "Page not found | \(site.config.siteName)", description: "This page does not exist. Browse all mentors instead.",
            path: urls.root + "/404.html", noindex: true, extra: ["specialties": specialtyLinks]))))
        for redirect in site.redirects {
            files.append(OutputFile(path: urls.file(for: redirect.from), text: templates.render("redirect", context.page(
                title: "Moved | \(site.config.siteName)", description: "This profile has moved.", path: redirect.to, noindex: true,
                extra: ["target": .text(redirect.to), "target_absolute": .text(urls.absolute(redirect.to))]))))
        }
        files += redirectMaps(urls)
        files += sitemaps(urls)
        files.append(OutputFile(path: "robots.txt", text: robots(urls)))
        files += assetFiles
        try send(files)
        if site.config.search {
            try send(searchIndex(renderKeys: renderKeys, reuse: reuse, rendered: &rendered))
        }
        return rendered
    }

    /// The search index's files: the shards whose mentors changed, and the manifest.
    func searchIndex(renderKeys: [String: String], reuse: Reuse?, rendered: inout Rendered) throws(GeneratorError) -> [OutputFile] {
        let count = SearchIndex.shardCount(mentors: site.mentors.count)
        var members: [[Mentor]] = Array(repeating: [], count: count)
        for mentor in site.mentors.sorted(by: { $0.slug < $1.slug }) { members[SearchIndex.shard(of: mentor.slug, count: count)].append(mentor) }
        let known = rendered.search.merging(reuse?.search ?? [:]) { fresh, _ in fresh }
        var files: [OutputFile] = []
        var manifest: [String: String] = [:]
        var genders = Set<String>()
        for (shard, mentors) in members.enumerated() {
            var key = StableHash()
            key.add("\(SearchIndex.version) \(count) \(shard)")
            for mentor in mentors { key.add(mentor.slug + " " + (renderKeys[mentor.slug] ?? known[mentor.slug] ?? "?")) }
            if !renderKeys.isEmpty, let kept = reuse?.shards[shard], kept.key == key.hex {
                rendered.shards[shard] = kept
                rendered.keptSearchFiles += kept.files.filter { !$0.key.hasPrefix("gender:") }.values.sorted()
                manifest.merge(kept.files) { first, _ in first }
                genders.formUnion(kept.files.keys.compactMap { $0.hasPrefix("gender:") ? String($0.dropFirst(7)) : nil })
                continue
            }
            var documents: [SearchIndex.Document] = []
            for mentor in mentors {
                if let document = rendered.documents[mentor.slug] {
                    documents.append(document)
                    continue
                }
                guard let text = known[mentor.slug], let document = SearchIndex.decode(text) else {
                    throw GeneratorError(stage: .render, file: "search/index.json", message: "no search document for \(mentor.slug) (the database changed during the build); build again")
                }
                documents.append(document)
            }
            var written: [String: String] = [:]
            for (name, file) in SearchIndex.shardFiles(shard, documents: documents) {
                written[name] = file.path
                files.append(file)
            }
            // The genders a shard's mentors give, kept with its files for the manifest.
            for gender in Set(documents.map(\.gender)) where !gender.isEmpty { written["gender:" + gender] = "" }
            genders.formUnion(documents.map(\.gender).filter { !$0.isEmpty })
            rendered.shards[shard] = Shard(key: key.hex, files: written)
            manifest.merge(written) { first, _ in first }
        }
        manifest = manifest.filter { !$0.key.hasPrefix("gender:") }
        files.append(SearchIndex.manifest(shards: count, counts: members.map(\.count), files: manifest, languages: site.languages.map(\.name),
                                          specialties: site.specialties.map(\.name), genders: genders.sorted(), currency: site.config.defaultCurrency))
        return files
    }

    /// A digest of what a listing page shows: its place among the pages, the site-wide
    /// numbers it shows, and each of its mentors' render keys.
    func listingKey(_ listing: ListingPage, shared: String, renderKeys: [String: String]) -> String {
        var hash = StableHash()
        hash.add("\(shared) \(listing.path) \(listing.number) \(listing.count)")
        for slug in listing.slugs { hash.add("\(slug) \(renderKeys[slug] ?? "?")") }
        return hash.hex
    }

    /// A short plain-text excerpt for cards, cut at a word.
    func excerpt(_ text: String) -> String {
        SEO.shorten(text, to: 140)
    }

    /// One page of a listing: which cards it shows and its neighbours.
    struct ListingPage: Sendable {
        enum Kind: Sendable {
            case directory
            case specialty(Site.Specialty)
            case language(Site.Specialty)
        }
        var kind: Kind
        var path: String
        var number: Int
        var count: Int
        var previous: String?
        var next: String?
        var slugs: [String]
    }

    /// Splits a listing into pages: `path`, then `path/page/2/` …
    func pages(of kind: ListingPage.Kind, path: String, slugs: [String]) -> [ListingPage] {
        let count = max(1, (slugs.count + Self.pageSize - 1) / Self.pageSize)
        func pagePath(_ number: Int) -> String { number == 1 ? path : path + "page/\(number)/" }
        return (1...count).map { number in
            ListingPage(kind: kind, path: pagePath(number), number: number, count: count,
                        previous: number > 1 ? pagePath(number - 1) : nil, next: number < count ? pagePath(number + 1) : nil,
                        slugs: Array(slugs[min(slugs.count, (number - 1) * Self.pageSize)..<min(slugs.count, number * Self.pageSize)]))
        }
    }

    func websiteJSONLD(_ urls: URLs) -> String {
        JSON.object([
            ("@context", .string("https://schema.org")),
            ("@type", .string("WebSite")),
            ("name", .string(site.config.siteName)),
            ("url", .string(urls.absolute(urls.home))),
            ("inLanguage", .string(site.config.language)),
        ]).text
    }

    // MARK: Assets

    /// Copies `templates/assets/`; CSS and JS get a content hash in their names so that
    /// servers can cache them for a year.
    func renderAssets() throws(GeneratorError) -> ([OutputFile], [String: String]) {
        let urls = URLs(config: site.config)
        var files: [OutputFile] = []
        var names: [String: String] = [:]
        for relative in templates.assetFiles {
            let path = templates.folder + "/assets/" + relative
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GeneratorError(stage: .render, file: path, message: "cannot read the asset")
            }
            let bytes = [UInt8](data)
            let output = URLs.assetName(relative, contents: bytes)
            files.append(OutputFile(path: "assets/" + output, contents: bytes))
            let key = relative.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
            names[key] = urls.asset(output)
        }
        return (files, names)
    }

    // MARK: Sitemap, robots, redirects

    func sitemapEntries(_ urls: URLs) -> [(loc: String, lastmod: String?)] {
        let latest = site.mentors.map(\.updatedAt).max().map(Timestamp.datePart)
        var entries: [(String, String?)] = [(urls.absolute(urls.home), latest)]
        let updated = Dictionary(uniqueKeysWithValues: site.mentors.map { ($0.slug, Timestamp.datePart($0.updatedAt)) })
        for specialty in site.specialties {
            entries.append((urls.absolute(urls.specialty(specialty.slug)), specialty.mentorSlugs.compactMap { updated[$0] }.max()))
        }
        for language in site.languages {
            entries.append((urls.absolute(urls.language(language.slug)), language.mentorSlugs.compactMap { updated[$0] }.max()))
        }
        for mentor in site.mentors {
            entries.append((urls.absolute(urls.mentor(mentor.slug)), Timestamp.datePart(mentor.updatedAt)))
        }
        for page in site.pages {
            entries.append((urls.absolute(urls.page(page.slug)), nil))
        }
        return entries
    }

    /// `sitemap.xml`, or past 50,000 URLs a sitemap index of `sitemap-N.xml` files
    /// (https://www.sitemaps.org/protocol.html).
    func sitemaps(_ urls: URLs) -> [OutputFile] {
        let entries = sitemapEntries(urls)
        func urlset(_ slice: ArraySlice<(loc: String, lastmod: String?)>) -> String {
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            for entry in slice {
                xml += "  <url><loc>\(HTML.escape(entry.loc))</loc>"
                if let lastmod = entry.lastmod { xml += "<lastmod>\(lastmod)</lastmod>" }
                xml += "</url>\n"
            }
            return xml + "</urlset>\n"
        }
        if entries.count <= Self.sitemapLimit {
            return [OutputFile(path: "sitemap.xml", text: urlset(entries[...]))]
        }
        var files: [OutputFile] = []
        var index = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for (number, start) in stride(from: 0, to: entries.count, by: Self.sitemapLimit).enumerated() {
            let slice = entries[start..<min(entries.count, start + Self.sitemapLimit)]
            let name = "sitemap-\(number + 1).xml"
            files.append(OutputFile(path: name, text: urlset(slice)))
            let lastmod = slice.compactMap(\.lastmod).max()
            index += "  <sitemap><loc>\(HTML.escape(urls.absolute(urls.root + "/" + name)))</loc>\(lastmod.map { "<lastmod>\($0)</lastmod>" } ?? "")</sitemap>\n"
        }
        files.append(OutputFile(path: "sitemap.xml", text: index + "</sitemapindex>\n"))
        return files
    }

    func robots(_ urls: URLs) -> String {
        return """
            User-agent: *
            Disallow: \(urls.bookingPath)
            Allow: /

            Sitemap: \(urls.absolute(urls.root + "/sitemap.xml"))

            """
    }

    /// Redirects from old slugs for servers that read a file: Apache (`.htaccess`), nginx
    /// (a `map` include), lighttpd (an `include`) and hosts that read `_redirects`
    /// (Netlify, Cloudflare Pages). Slug paths hold only letters, digits, hyphens and
    /// slashes, so no format needs escaping.
    func redirectMaps(_ urls: URLs) -> [OutputFile] {
        var apache = "# Generated by mentorsite: old profile URLs redirect to the current ones.\nErrorDocument 404 \(urls.root)/404.html\n"
        var nginx = "# Generated by mentorsite. Use inside `map $uri $mentorsite_redirect { include …; }`.\n"
        var lighttpd = "# Generated by mentorsite: old profile URLs redirect to the current ones. Needs mod_redirect.\n"
        var plain = ""
        for redirect in site.redirects {
            apache += "Redirect 301 \(redirect.from) \(redirect.to)\n"
            nginx += "\(redirect.from) \(redirect.to);\n"
            plain += "\(redirect.from) \(redirect.to) 301\n"
        }
        if !site.redirects.isEmpty {
            lighttpd += "url.redirect-code = 301\nurl.redirect += (\n"
            for redirect in site.redirects {
                lighttpd += "  \"^\(redirect.from)$\" => \"\(redirect.to)\",\n"
            }
            lighttpd += ")\n"
        }
        return [
            OutputFile(path: ".htaccess", text: apache),
            OutputFile(path: "redirects.nginx.map", text: nginx),
            OutputFile(path: "redirects.lighttpd.conf", text: lighttpd),
            OutputFile(path: "_redirects", text: plain),
        ]
    }
}

/// A generated portrait placeholder: the mentor's initials on a calm colour chosen from
/// a hash of the name, so it never changes between builds.
enum Avatar {
    static let palette = ["#2f6f73", "#4a6fa5", "#6b5b95", "#3d7a5a", "#8a5a44", "#5a6e7f", "#7a4f6d", "#46707a"]

    static func initials(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0.isWhitespace || $0 == "-" }).filter { $0.first?.isLetter == true }
        let letters = [words.first, words.count > 1 ? words.last : nil].compactMap { $0?.first }.map { String($0).uppercased() }
        return letters.joined()
    }

    static func svg(name: String) -> String {
        let hash = Int(UInt32(Slug.stableHash(name), radix: 16) ?? 0)
        let colour = palette[hash % palette.count]
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160" role="img" aria-label="\(HTML.escape(name))">\
            <rect width="160" height="160" rx="80" fill="\(colour)"/>\
            <text x="80" y="80" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="56" fill="#ffffff">\(HTML.escape(initials(name)))</text>\
            </svg>

            """
    }
}
