import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// The form as the editor shows it, every field with its value.
func formFields(_ page: Page) -> [(String, String)] {
    var fields: [(String, String)] = []
    for part in page.body.components(separatedBy: "<input type=\"text\" id=\"").dropFirst() {
        guard let nameRange = part.range(of: "name=\""), let valueRange = part.range(of: "value=\"") else { continue }
        let name = String(part[nameRange.upperBound...].prefix { $0 != "\"" })
        let value = String(part[valueRange.upperBound...].prefix { $0 != "\"" })
        fields.append((name, value.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")))
    }
    for part in page.body.components(separatedBy: "<textarea id=\"").dropFirst() {
        let name = String(part.prefix { $0 != "\"" })
        let start = part.range(of: ">")!.upperBound
        fields.append((name, String(part[start...].prefix { $0 != "<" })))
    }
    return fields
}

func replacing(_ fields: [(String, String)], _ changes: [String: String]) -> [(String, String)] {
    fields.map { ($0.0, changes[$0.0] ?? $0.1) } + changes.filter { key, _ in !fields.contains { $0.0 == key } }.map { ($0.key, $0.value) }
}

@Suite struct ProfileEditorTests {
    @Test func theFormUsesTheContentKeysAndSavesWithAnAuditRow() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let editor = ana.get("/dashboard/profile")
        let fields = formFields(editor)
        for key in ["name", "title", "bio", "specialty", "specialties", "languages", "therapy_types", "location", "gender", "avatar_url",
                    "hourly_rate", "currency", "session_minutes", "timezone"] {
            #expect(fields.contains { $0.0 == key }, "\(key)")
        }
        let saved = ana.post("/dashboard/profile", [("csrf", editor.field("csrf")!), ("action", "save")]
                             + replacing(fields, ["title": "Licensed counsellor", "languages": "German\nEnglish\nFrench"]))
        #expect(saved.status == 200 && saved.body.contains("Saved (title, languages)"), "\(saved.body.prefix(600))")
        let mentor = try #require(try site.database.activeMentor(slug: "ana-weber"))
        #expect(mentor.profile.title == "Licensed counsellor" && mentor.profile.languages == ["German", "English", "French"] && mentor.webEditedAt != nil)
        let audit = try site.database.profileAudit(mentorID: mentor.id)
        #expect(audit.first?.actor == "mentor:ana-weber" && audit.first?.fields == ["title", "languages"])
        #expect(try site.count("SELECT count(*) FROM site_changes WHERE reason = 'profile'") == 1)
    }

    @Test func badInputGetsImportsMessagesBesideTheFieldsAndWritesNothing() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let editor = ana.get("/dashboard/profile")
        let before = try site.count("SELECT total_changes()")
        let page = ana.post("/dashboard/profile", [("csrf", editor.field("csrf")!), ("action", "save")]
                            + replacing(formFields(editor), ["timezone": "Mars/Olympus", "hourly_rate": "1e3", "name": "", "title": "Dr\u{202E}x",
                                                             "education[0][degree]": "MA", "education[0][institution]": ""]))
        #expect(page.status == 422)
        #expect(page.body.contains("id=\"timezone-error\">&quot;Mars/Olympus&quot; is not an IANA time zone such as Africa/Nairobi"))
        #expect(page.body.contains("id=\"hourly_rate-error\">expected a decimal amount such as 120 or 95.50"))
        #expect(page.body.contains("id=\"name-error\">is required"))
        #expect(page.body.contains("id=\"title-error\">must not contain bidirectional"))
        #expect(page.body.contains("id=\"education-0-institution-error\">is required"))
        #expect(page.body.contains("href=\"#timezone\""))
        #expect(try site.database.activeMentor(slug: "ana-weber")?.profile.timezone == "Europe/Berlin")
        #expect(try site.count("SELECT count(*) FROM profile_audit") == 0)
        #expect(try site.count("SELECT total_changes()") == before)
    }

    @Test func rowsAreAddedMovedAndRemovedWithoutJavaScriptAndSavedInOrder() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        var page = ana.get("/dashboard/profile")
        let csrf = page.field("csrf")!
        page = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "education:add")] + formFields(page))
        page = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "education:add")]
                        + replacing(formFields(page), ["education[0][degree]": "BA", "education[0][institution]": "Uni A", "education[0][year]": "2001"]))
        #expect(page.body.contains("Not saved yet"))
        var fields = replacing(formFields(page), ["education[1][degree]": "MA", "education[1][institution]": "Uni B", "education[1][year]": "2004"])
        page = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "education:up:1")] + fields)
        fields = formFields(page)
        #expect(fields.first { $0.0 == "education[0][degree]" }?.1 == "MA")
        page = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "save")] + fields)
        let mentor = try #require(try site.database.mentors().first { $0.slug == "ana-weber" })
        #expect(mentor.profile.education.map(\.degree) == ["MA", "BA"] && mentor.profile.education.map(\.year) == [2004, 2001])
        page = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "education:remove:0")] + formFields(ana.get("/dashboard/profile")))
        let final = ana.post("/dashboard/profile", [("csrf", csrf), ("action", "save")] + formFields(page))
        #expect(final.status == 200, "\(final.body.prefix(800))")
        #expect(final.body.contains("Saved"), "\(formFields(page))")
        #expect(try site.database.mentors().first { $0.slug == "ana-weber" }?.profile.education.map(\.degree) == ["BA"])
    }

    @Test func thePreviewRendersTheBioSafelyAndSavesNothing() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let editor = ana.get("/dashboard/profile")
        let page = ana.post("/dashboard/profile", [("csrf", editor.field("csrf")!), ("action", "preview")]
                            + replacing(formFields(editor), ["bio": "I **listen**.\n\n<script>alert(1)</script> [x](javascript:alert(1))"]))
        #expect(page.body.contains("<strong>listen</strong>") && !page.body.contains("<script>alert") && !page.body.contains("href=\"javascript"))
        #expect(try site.database.activeMentor(slug: "ana-weber")?.profile.bio == "I listen.")
    }

    @Test func aNewNameWaitsForTheGeneratorForItsSlugAndTheOldOneStays() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let editor = ana.get("/dashboard/profile")
        _ = ana.post("/dashboard/profile", [("csrf", editor.field("csrf")!), ("action", "save")] + replacing(formFields(editor), ["name": "Ana Weber-Kraus"]))
        #expect(try site.database.activeMentor(slug: "ana-weber")?.profile.name == "Ana Weber-Kraus")
        let renamed = try site.database.refreshSlugs(now: "2026-12-01T01:06:00Z") { $0.lowercased().replacingOccurrences(of: " ", with: "-") }
        #expect(renamed == ["ana-weber": "ana-weber-kraus"])
        #expect(try site.database.activeMentor(slug: "ana-weber-kraus") != nil)
        #expect(try site.count("SELECT count(*) FROM mentor_slugs WHERE slug IN ('ana-weber', 'ana-weber-kraus')") == 2)
    }
}

@Suite struct HoursEditorTests {
    func hoursForm(_ page: Page) -> [(String, String)] {
        var fields: [(String, String)] = []
        for part in page.body.components(separatedBy: "name=\"availability[").dropFirst() {
            let name = "availability[" + String(part.prefix { $0 != "\"" })
            let value = part.range(of: "value=\"").map { String(part[$0.upperBound...].prefix { $0 != "\"" }) } ?? ""
            fields.append((name, value))
        }
        return fields
    }

    @Test func weeklyHoursAreSavedWithTheRulesOfContentFiles() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let page = ana.get("/dashboard/hours")
        let fields = hoursForm(page)
        // Monday's empty row 0 after its 09:00–17:00 window: add 18:00–20:00; Sunday gets hours.
        var changed = fields
        let mondayRows = fields.enumerated().filter { $0.element.0.hasSuffix("[day]") && $0.element.1 == "monday" }.map { $0.offset }
        let emptyIndex = String(fields[mondayRows[1]].0.dropFirst("availability[".count).prefix { $0 != "]" })
        changed = replacing(changed, ["availability[\(emptyIndex)][start]": "18:00", "availability[\(emptyIndex)][end]": "20:00"])
        let saved = ana.post("/dashboard/hours", [("csrf", page.field("csrf")!), ("action", "hours")] + changed)
        #expect(saved.status == 200 && saved.body.contains("weekly hours are saved"), "\(saved.body.prefix(500))")
        let mentor = try #require(try site.database.activeMentor(slug: "ana-weber"))
        #expect(mentor.profile.availability.filter { $0.day == .monday }.map { "\($0.start)–\($0.end)" } == ["09:00–17:00", "18:00–20:00"])
        // Overlapping windows are refused, by the row.
        let overlapping = replacing(hoursForm(saved), ["availability[\(emptyIndex)][start]": "16:00"])
        let refused = ana.post("/dashboard/hours", [("csrf", page.field("csrf")!), ("action", "hours")] + overlapping)
        #expect(refused.status == 422 && refused.body.contains("overlaps"))
    }

    @Test func blockingADayWithSessionsAsksFirstThenCancelsOrKeepsThem() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let appointment = try #require(try site.database.appointment(id: id))
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let page = ana.get("/dashboard/hours")
        let block = [("csrf", page.field("csrf")!), ("action", "block"), ("from", appointment.localDate), ("to", ""), ("reason", "Training")]
        let asked = ana.post("/dashboard/hours", block)
        #expect(asked.status == 200 && asked.body.contains("You have booked sessions on these days") && asked.body.contains("Pat Doe"))
        #expect(try site.count("SELECT count(*) FROM mentor_blocked_dates WHERE source = 'dashboard'") == 0)
        let kept = ana.post("/dashboard/hours", block + [("sessions", "keep")])
        #expect(kept.body.contains("session on those days stay") || kept.body.contains("sessions on those days stay"))
        #expect(try site.database.appointment(id: id)?.status == .scheduled)
        #expect(try site.count("SELECT count(*) FROM mentor_blocked_dates WHERE source = 'dashboard'") == 1)
        // Blocking again and cancelling: the patient is told why.
        let cancelled = ana.post("/dashboard/hours", block + [("sessions", "cancel"), ("patient_reason", "A training day came up.")])
        #expect(cancelled.body.contains("1 session is cancelled"))
        #expect(try site.database.appointment(id: id)?.status == .cancelled)
        #expect(try site.count("SELECT count(*) FROM outbox WHERE kind = 'cancelled-by-mentor'") == 1)
    }

    @Test func aBlockedRangeTakesItsDaysOutOfTheFreeSlotsAtOnce() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        _ = try signIn(site, &ana, email: "ana@mentors.example")
        let page = ana.get("/dashboard/hours")
        _ = ana.post("/dashboard/hours", [("csrf", page.field("csrf")!), ("action", "block"), ("from", "2026-12-07"), ("to", "2026-12-11"), ("reason", "")])
        var patient = WizardBrowser(site)
        let slots = patient.get("/slots", "mentor=ana-weber&from=2026-12-05&days=10")
        #expect(slots.status == 200 && !slots.body.contains("2026-12-07") && !slots.body.contains("2026-12-11") && slots.body.contains("2026-12-14"))
        let bad = ana.post("/dashboard/hours", [("csrf", page.field("csrf")!), ("action", "block"), ("from", "2026-12-11"), ("to", "2026-12-07")])
        #expect(bad.status == 422 && bad.body.contains("Choose an end on or after the start"))
    }
}

@Suite struct ProfileFormTests {
    @Test func aBrowsersCRLFLineBreaksAreNoChange() {
        #expect(ProfileForm.lineFeeds("a\r\n\r\nb\rc\nd") == "a\n\nb\nc\nd")
        var form = FormData(["bio": "One.\r\n\r\nTwo.", "specialties": "A\r\nB\r\n"])
        #expect(ProfileForm(form).bio == "One.\n\nTwo." && ProfileForm(form).lists["specialties"] == ["A", "B"])
        form = FormData(["name": "Ana"])
        #expect(ProfileForm(form).bio == "")
    }
}
