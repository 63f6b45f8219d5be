import Foundation
import MentorCore
import MentorStore
import Testing
import TestSupport
@testable import SiteGenerator

/// Incremental import and build held to the full ones they stand in for: after every step of
/// a seeded sequence of edits (content files edited, renamed, added, removed, touched,
/// re-specialised; mentors paused and edited on the web; a template changed; a page deleted
/// by hand), the database equals what a full import makes from the same state, and the
/// output folder equals a full render, byte for byte.
@Suite struct IncrementalDifferentialTests {
    static let names = ["Ana Álvarez", "Bo Berg", "Chen Wei", "Đào Nguyễn", "Emma Stone", "Farid Haddad", "Grace Ho", "Hana Kim"]
    static let specialties = ["Anxiety", "Grief", "Sleep", "Career", "Trauma", "Stress"]
    static let languages = ["English", "Español", "Deutsch", "日本語"]

    func mentorFile(name: String, title: String, specialties: [String], bio: String, languages: [String]) -> String {
        """
        ---
        name: \(name)
        title: \(title)
        specialties: [\(specialties.joined(separator: ", "))]
        languages: [\(languages.joined(separator: ", "))]
        timezone: Europe/Berlin
        availability:
          - { day: monday, start: "09:00", end: "12:00" }
        ---

        \(bio)

        """
    }

    @Test(arguments: [1, 2, 3])
    func incrementalMatchesFull(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let (site, config) = makeSite()
        defer { withExtendedLifetime(site) {} }
        // Enough mentors for several directory pages (48 cards a page).
        var files: [String: (name: String, title: String, specialties: [String], bio: String, languages: [String])] = [:]
        func write(_ file: String) {
            let m = files[file]!
            site.write("content/mentors/\(file)", mentorFile(name: m.name, title: m.title, specialties: m.specialties, bio: m.bio, languages: m.languages))
        }
        for index in 0..<110 {
            let file = String(format: "m%03d.md", index)
            files[file] = (Self.names[index % Self.names.count] + " \(index / Self.names.count)", "Counsellor",
                           Array(Self.specialties.shuffled(using: &random).prefix(2)), "Bio number \(index).",
                           Array(Self.languages.shuffled(using: &random).prefix(1 + index % 2)))
            write(file)
        }
        _ = try generator(config).importContent()
        let first = try generator(config).build()
        #expect(first.rendered == 110)

        for step in 0..<24 {
            let database = try MentorDatabase(path: config.database, create: false)
            var expectSomeReuse = true
            let action = step < 12 ? step : Int.random(in: 0..<12, using: &random)
            let file = files.keys.sorted().randomElement(using: &random)!
            switch action {
            case 0: files[file]!.bio += " Edited at step \(step)."; write(file)
            case 1: files[file]!.name = "Renamed \(step) " + files[file]!.name; write(file)
            case 2:
                let added = String(format: "n%03d.md", step)
                files[added] = ("New Mentor \(step)", "Coach", ["Sleep", "Hope \(step % 3)"], "A new bio.", ["Kiswahili"])
                write(added)
            case 3: files[file] = nil; try FileManager.default.removeItem(atPath: config.content + "/mentors/" + file)
            case 4:
                files[file]!.specialties = [Self.specialties.randomElement(using: &random)!]
                files[file]!.languages = [Self.languages.randomElement(using: &random)!]
                write(file)
            case 5:
                let mentor = try #require(try database.mentors().first { $0.sourcePath == "mentors/" + file })
                _ = try database.setPaused(mentorID: mentor.id, !mentor.isPaused, actor: "test", now: 1_800_000_000 + step)
            case 6:
                var mentor = try #require(try database.mentors().first { $0.sourcePath == "mentors/" + file })
                mentor.profile.name = "Web Name \(step)"
                mentor.profile.title = "Edited on the web"
                try database.saveWebProfile(mentorID: mentor.id, profile: mentor.profile, actor: "test", now: 1_800_000_000 + step)
            case 7:
                // A template every mentor page and card uses: everything renders again.
                let path = "templates/card.mustache"
                site.write(path, site.read(path)!.replacingOccurrences(of: "<li class=\"card\">", with: "<li class=\"card\" data-step=\"\(step)\">"))
                expectSomeReuse = false
            case 8:
                let pages = site.files(under: "public").filter { $0.hasPrefix("mentors/") && $0.hasSuffix("/index.html") }
                try FileManager.default.removeItem(atPath: config.output + "/" + pages.randomElement(using: &random)!)
            case 9:
                // Touched: new times, same bytes.
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(step))],
                                                      ofItemAtPath: config.content + "/mentors/" + file)
            case 10:
                try FileManager.default.removeItem(atPath: config.output + "/index.html")
            default:
                files[file]!.title = "Senior \(step)"; write(file)
            }

            // Import: incremental on the site's database, full on a copy taken before it.
            let copy = config.database + ".full"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            try database.backup(to: copy)
            var fullConfig = config
            fullConfig.databasePath = copy
            let incremental = try generator(config).importContent()
            let full = try generator(fullConfig).importContent(full: true)
            #expect(incremental == full, "step \(step), action \(action)")
            // New mentors get random ids in each database: compared without them.
            func withoutIDs(_ mentors: [Mentor]) -> [Mentor] { mentors.map { var mentor = $0; mentor.id = ""; return mentor } }
            let incrementalRows = withoutIDs(try MentorDatabase(path: config.database, create: false).mentors(includingInactive: true))
            let fullRows = withoutIDs(try MentorDatabase(path: copy, create: false).mentors(includingInactive: true))
            let differing = zip(incrementalRows, fullRows).filter { $0 != $1 }.prefix(1).map { "\($0)\n≠ \($1)" }
            #expect(incrementalRows.count == fullRows.count && differing.isEmpty, "step \(step), action \(action): \(differing)")

            // Build: incremental into public/, compared with a full render in memory.
            let report = try generator(config).build()
            if expectSomeReuse { #expect(report.rendered < report.mentors, "step \(step), action \(action)") }
            let fresh = try MentorDatabase(path: config.database, create: false)
            let pages = ContentLoader.loadPages(from: config.content + "/pages", diagnostics: &ignoredDiagnostics)
            let expected = try SiteRenderer(site: Site(config: config, mentors: try fresh.mentors(), pages: pages),
                                            templates: try TemplateSet.load(from: config.templates)).render()
            let onDisk = site.files(under: "public").filter { $0 != OutputWriter.marker }
            #expect(onDisk == expected.map(\.path), "step \(step), action \(action)")
            for file in expected {
                let bytes = FileManager.default.contents(atPath: config.output + "/" + file.path).map { [UInt8]($0) }
                let same = bytes == file.contents
                #expect(same, "\(file.path) differs after step \(step), action \(action)")
            }
        }
    }
}

nonisolated(unsafe) private var ignoredDiagnostics: [Diagnostic] = []
