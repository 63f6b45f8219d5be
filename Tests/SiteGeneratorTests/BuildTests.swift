import Foundation
import MentorCore
import MentorStore
import TemplateEngine
import Testing
@testable import SiteGenerator

@Suite struct BuildTests {
    @Test func escapesEveryFrontMatterValueAndDropsUnsafeMarkdown() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        let bo = try #require(site.read("public/mentors/bo-script-alert-1-script/index.html"))
        #expect(!bo.contains("<script>alert"))
        #expect(bo.contains("Bo &lt;script&gt;alert(1)&lt;/script&gt;"))
        let ana = try #require(site.read("public/mentors/ana-alvarez-2/index.html"))
        #expect(!ana.contains("<script>alert"))
        #expect(!ana.contains("javascript:"))
        #expect(ana.contains("Clinic &lt;b&gt;"))
        #expect(ana.contains("Counsellor &amp; &quot;Coach&quot;"))
        #expect(ana.components(separatedBy: "<h1").count == 2)
        #expect(ana.contains("<h2>Welcome</h2>"))
    }

    @Test func aSecondBuildRewritesNothing() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        let first = try generator(config).build()
        #expect(first.write.unchanged == 0)
        let second = try generator(config).build()
        #expect(second.write.written.isEmpty)
        #expect(second.write.removed.isEmpty)
    }

    @Test func removedMentorsLoseTheirPagesAndRenamedOnesRedirect() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        try FileManager.default.removeItem(atPath: config.content + "/mentors/ana-again.md")
        site.write("content/mentors/bo.md", "---\nname: Bo Berg\nspecialty: Grief\n---\nBio.\n")
        _ = try generator(config).importContent()
        let report = try generator(config).build()
        #expect(report.write.removed.contains("mentors/ana-alvarez/index.html"))
        #expect(site.read("public/mentors/bo-berg/index.html") != nil)
        let redirect = try #require(site.read("public/mentors/bo-script-alert-1-script/index.html"))
        #expect(redirect.contains(#"<meta http-equiv="refresh" content="0; url=/mentors/bo-berg/">"#))
        #expect(site.read("public/_redirects") == "/mentors/bo-script-alert-1-script/ /mentors/bo-berg/ 301\n")
        #expect(site.read("public/redirects.nginx.map")?.contains("/mentors/bo-script-alert-1-script/ /mentors/bo-berg/;") == true)
    }

    @Test func brokenTemplatesStopTheBuildAndKeepThePreviousSite() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        let before = site.files(under: "public")
        let page = site.read("public/index.html")
        site.write("templates/mentor.mustache", "{{<layout}}\n{{$body}}\n{{#mentor}}\n{{/layout}}\n")
        #expect(throws: GeneratorError.self) { try generator(config).build() }
        #expect(site.files(under: "public") == before)
        #expect(site.read("public/index.html") == page)
    }

    @Test func brokenContentStopsTheImportAndWritesNothing() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        site.write("content/mentors/zed.md", "---\nname: Zed\ntimezone: Mars/Olympus\n---\n")
        site.write("content/mentors/ana.md", "---\nname: Ana Changed\n---\n")
        #expect(throws: GeneratorError(stage: .load, diagnostics: [
            Diagnostic(file: config.content + "/mentors/zed.md", line: 3, field: "timezone", message: "\"Mars/Olympus\" is not an IANA time zone such as Africa/Nairobi"),
        ])) {
            try generator(config).importContent()
        }
        let database = try MentorDatabase(path: config.database, create: false)
        #expect(try database.mentors().map(\.profile.name).contains("Ana Álvarez"))
    }

    @Test func refusesOversizedAndNonUTF8Files() throws {
        let (site, config) = makeSite(content: "basic")
        site.write("content/mentors/huge.md", "---\nname: Huge\n---\n" + String(repeating: "word ", count: 60_000))
        try Data([0x2d, 0x2d, 0x2d, 0x0a, 0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: config.content + "/mentors/latin1.md"))
        do {
            _ = try generator(config).importContent()
            Issue.record("import should fail")
        } catch let error as GeneratorError {
            #expect(error.diagnostics.map(\.description) == [
                config.content + "/mentors/huge.md: file is 292 KiB; the limit is 256 KiB",
                config.content + "/mentors/latin1.md:2: is not valid UTF-8 text",
            ])
        }
        #expect(!FileManager.default.fileExists(atPath: config.database))
    }

    @Test func buildWithoutADatabaseSaysWhatToDo() {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        #expect(throws: StoreError.missingDatabase(path: config.database)) { try generator(config).build() }
    }

    @Test func writesASitemapIndexPastTheLimit() {
        var config = SiteConfig()
        config.baseURL = "https://x.example"
        let mentors = (0..<3).map { i in
            Mentor(id: "\(i)", sourcePath: "m\(i).md", slug: "m\(i)", previousSlugs: [], profile: MentorProfile(name: "M\(i)"), createdAt: "2026-01-0\(i + 1)T00:00:00Z", updatedAt: "2026-01-0\(i + 1)T00:00:00Z")
        }
        let site = Site(config: config, mentors: mentors, pages: [])
        let renderer = SiteRenderer(site: site, templates: try! TemplateSet.load(from: Paths.templates))
        let urls = URLs(config: config)
        #expect(renderer.sitemapEntries(urls).count == 4)
        let single = renderer.sitemaps(urls)
        #expect(single.map(\.path) == ["sitemap.xml"])
        #expect(String(decoding: single[0].contents, as: UTF8.self).contains("<url><loc>https://x.example/mentors/m2/</loc><lastmod>2026-01-03</lastmod></url>"))
    }
}

@Suite struct IncrementalBuildTests {
    @Test func aTemplateChangeIsNotSkipped() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        site.write("templates/404.mustache", (site.read("templates/404.mustache") ?? "").replacingOccurrences(of: "We could not find that page", with: "Nothing here"))
        let report = try generator(config).build()
        #expect(report.write.written.contains("404.html"))
        #expect(site.read("public/404.html")?.contains("Nothing here") == true)
    }

    @Test func aContentEditInTheSameSecondIsNotSkipped() throws {
        // Imports stamp updated_at with whole seconds (or SOURCE_DATE_EPOCH): the build must
        // still see the change.
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        let path = "content/mentors/ana.md"
        site.write(path, (site.read(path) ?? "").replacingOccurrences(of: "title: ", with: "title: Senior "))
        _ = try generator(config).importContent()
        let report = try generator(config).build()
        // ana.md is published as ana-alvarez-2 (ana-again.md came first).
        #expect(report.write.written.contains("mentors/ana-alvarez-2/index.html"))
        #expect(site.read("public/mentors/ana-alvarez-2/index.html")?.contains("Senior ") == true)
    }

    @Test func aDeletedOutputFileIsRestored() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        try FileManager.default.removeItem(atPath: config.output + "/robots.txt")
        let report = try generator(config).build()
        #expect(report.write.written == ["robots.txt"])
    }

    @Test func forceRendersButStillWritesNothingUnchanged() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        let first = try generator(config).build()
        let forced = try generator(config).build(force: true)
        #expect(forced.write.written.isEmpty)
        #expect(forced.write.unchanged == first.write.written.count)
    }
}
