import Foundation
import Testing
@testable import MentorStore
import MentorCore

@Suite struct ProfileSyncTests {
    @Test func importsProfilesWithTheirChildRowsInOrder() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        let report = try db.sync([("mentors/ana.md", profile("Ana Álvarez"))], now: "2026-01-01T00:00:00Z")
        #expect(report.inserted == ["mentors/ana.md"])
        let mentors = try db.mentors()
        #expect(mentors.count == 1)
        #expect(mentors[0].slug == "ana-alvarez")
        #expect(mentors[0].profile == profile("Ana Álvarez"))
        #expect(try db.connection.scalarInt("SELECT count(*) FROM mood_mentor_profiles WHERE bio = about AND about = 'Bio.'") == 1)
        #expect(try db.connection.scalarText("SELECT hourly_rate FROM mood_mentor_profiles") == "95.50")
        #expect(try db.connection.scalarText("SELECT specialties FROM mood_mentor_profiles") == #"["Anxiety","Sleep"]"#)
        #expect(try db.connection.scalarInt("SELECT day_of_week FROM mentor_availability") == 1)
    }

    @Test func reimportingUnchangedContentWritesNothing() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        let entries = [("mentors/ana.md", profile("Ana")), ("mentors/bo.md", profile("Bo"))]
        _ = try db.sync(entries, now: "2026-01-01T00:00:00Z")
        let before = db.connection.totalChanges
        let report = try db.sync(entries, now: "2026-02-02T00:00:00Z")
        #expect(report.isEmpty)
        #expect(report.unchanged == 2)
        #expect(db.connection.totalChanges == before)
        #expect(try db.mentors().map(\.updatedAt) == ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"])
    }

    @Test func sameNamesGetNumberedSlugsThatStayPut() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("María García")), ("mentors/b.md", profile("Maria Garcia"))])
        #expect(try db.mentors().map { "\($0.sourcePath) \($0.slug)" } == ["mentors/a.md maria-garcia", "mentors/b.md maria-garcia-2"])
        // A change to the first file must not move the second one's URL.
        _ = try db.sync([("mentors/a.md", profile("María García", bio: "New bio.")), ("mentors/b.md", profile("Maria Garcia"))])
        #expect(try db.mentors().map(\.slug) == ["maria-garcia", "maria-garcia-2"])
    }

    @Test func aRenameKeepsTheOldURLAsARedirect() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana Silva"))])
        let report = try db.sync([("mentors/a.md", profile("Ana Costa"))])
        #expect(report.renamed == ["ana-silva": "ana-costa"])
        let mentor = try db.mentors()[0]
        #expect(mentor.slug == "ana-costa")
        #expect(mentor.previousSlugs == ["ana-silva"])
        // A new mentor with the old name may not take the old URL from under the redirect.
        _ = try db.sync([("mentors/a.md", profile("Ana Costa")), ("mentors/b.md", profile("Ana Silva"))])
        #expect(try db.mentors().map(\.slug) == ["ana-costa", "ana-silva-2"])
        // Renaming back reclaims the mentor's own old slug.
        _ = try db.sync([("mentors/a.md", profile("Ana Silva")), ("mentors/b.md", profile("Ana Silva"))])
        let slugs = try db.mentors().map { "\($0.sourcePath) \($0.slug)" }
        #expect(slugs == ["mentors/a.md ana-silva", "mentors/b.md ana-silva-2"])
    }

    @Test func explicitSlugsWinAndConflictsAreErrors() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo", slug: "ana"))])
        #expect(try db.mentors().map { "\($0.sourcePath) \($0.slug)" }.sorted() == ["mentors/a.md ana-2", "mentors/b.md ana"])
        #expect(throws: StoreError.slugTaken(slug: "ana", sourcePath: "mentors/c.md", owner: "mentors/b.md")) {
            try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo", slug: "ana")), ("mentors/c.md", profile("Cy", slug: "ana"))])
        }
        // The failed import wrote nothing.
        #expect(try db.mentors().count == 2)
    }

    @Test func removedFilesDeactivateMentorsAndComingBackRestoresThem() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo"))])
        let report = try db.sync([("mentors/a.md", profile("Ana"))])
        #expect(report.deactivated == ["mentors/b.md"])
        #expect(try db.mentors().map(\.slug) == ["ana"])
        #expect(try db.mentors(includingInactive: true).count == 2)
        _ = try db.sync([("mentors/a.md", profile("Ana")), ("mentors/b.md", profile("Bo"))])
        #expect(try db.mentors().map(\.slug) == ["ana", "bo"])
    }

    @Test func educationAndExperienceSurviveEveryRoundTrip() throws {
        let temp = TemporaryDatabase()
        let db = try temp.open()
        var p = profile("Ana")
        p.education.append(Education(degree: "PhD", institution: "Uni \"C\", Ward's", year: 2020))
        p.specialties = ["Quote \" and \\ backslash", "Ünïcødé", "Line\nbreak"]
        _ = try db.sync([("mentors/a.md", p)])
        #expect(try db.mentors()[0].profile == p)
        p.education.swapAt(0, 2)
        _ = try db.sync([("mentors/a.md", p)])
        #expect(try db.mentors()[0].profile.education == p.education)
    }
}

@Suite struct ListColumnTests {
    @Test(arguments: [[], ["a"], ["Quote \" and \\ backslash", "Ünïcødé", "Line\nbreak\ttab", "a,b", ""]])
    func roundTripsThroughJSONText(list: [String]) {
        #expect(decodeList(encodeList(list)) == list)
    }

    @Test func readsJSONWrittenByOtherTools() {
        #expect(decodeList(#"[ "a" , "\u00e9\u0001" ]"#) == ["a", "é\u{1}"])
        #expect(decodeList("not json") == [])
    }
}

@Suite struct ContentDigestTests {
    @Test func isStableAndChangesWithEveryKindOfField() {
        let base = profile("Ana")
        #expect(base.contentDigest == profile("Ana").contentDigest)
        var changes: [MentorProfile] = []
        var copy = base; copy.title = "Coach"; changes.append(copy)
        copy = base; copy.email = nil; changes.append(copy)
        copy = base; copy.bio += " "; changes.append(copy)
        copy = base; copy.languages.append("German"); changes.append(copy)
        copy = base; copy.education[1].year = 2012; changes.append(copy)
        copy = base; copy.availability[0].end = LocalTime("12:30")!; changes.append(copy)
        copy = base; copy.blockedDates[0].reason = nil; changes.append(copy)
        copy = base; copy.hourlyRate = Money(decimal: "95.51", currency: "EUR"); changes.append(copy)
        // A field's text moved into its neighbour is a change too.
        copy = base; copy.title = "A"; copy.specialty = nil; changes.append(copy)
        let digests = Set(changes.map(\.contentDigest) + [base.contentDigest])
        #expect(digests.count == changes.count + 1)
    }
}
