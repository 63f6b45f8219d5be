import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// Two mentors, so that each can try the other's ids and forms.
func twoMentorSite() throws -> WizardSite {
    try WizardSite(now: tuesdayNight, mentors: [WizardSite.berlinMentor(), WizardSite.berlinMentor(name: "Bo Lind", email: "bo@mentors.example")])
}

/// A booked (confirmed) session with Ana; returns its id.
func bookWithAna(_ site: WizardSite, email: String = "pat@example.org", pick: ([Int]) -> Int? = { $0.last }) throws -> String {
    var (browser, payment, _) = walkToPayment(site, email: email, start: pick)
    _ = browser.post("/payment", paymentForm(payment))
    let body = try #require(try site.database.connection.query("SELECT body FROM outbox WHERE kind = 'confirm' AND recipient = ? ORDER BY id DESC", [email]) { $0.text(0) }.first)
    let token = String(body.split(separator: "token=")[1].prefix { !$0.isWhitespace })
    let page = browser.get("/confirm", "token=" + token)
    _ = browser.post("/confirm", [("csrf", page.field("csrf")!), ("token", token)])
    return try #require(try site.database.connection.query("SELECT a.id FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE p.email = ? ORDER BY a.created_at DESC", [email]) { $0.text(0) }.first)
}

@Suite struct DashboardAccessTests {
    @Test func withoutSignInTheDashboardSendsYouToSignInAndRefusesForms() throws {
        let site = try twoMentorSite()
        var browser = WizardBrowser(site)
        let page = browser.get("/dashboard")
        #expect(page.status == 303 && page.header("Location") == "/cgi-bin/book/sign-in")
        let csrf = browser.get("/sign-in").field("csrf")!
        #expect(browser.post("/dashboard", [("csrf", csrf), ("action", "pause")]).status == 403)
        #expect(try site.count("SELECT count(*) FROM mood_mentor_profiles WHERE is_paused = 1") == 0)
    }

    @Test func theWebServersUserStillSignsAMentorIn() throws {
        let site = try twoMentorSite()
        var browser = WizardBrowser(site)
        let page = browser.send("GET", "/dashboard", extra: ["REMOTE_USER": "bo@mentors.example"])
        #expect(page.status == 200 && page.body.contains("Signed in as Bo Lind"))
    }

    @Test func aMentorCannotReachAnotherMentorsSessions() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        var bo = WizardBrowser(site)
        let dashboard = try signIn(site, &bo, email: "bo@mentors.example")
        #expect(!dashboard.body.contains("pat@example.org"))
        let csrf = dashboard.field("csrf")!
        for action in ["cancel", "completed", "no-show"] {
            let page = bo.post("/dashboard", [("csrf", csrf), ("action", action), ("appointment", id), ("reason", "Mine now")])
            #expect(page.status == 404, "\(action)")
        }
        #expect(try site.count("SELECT count(*) FROM appointments WHERE status = 'scheduled'") == 1)
        // Bo's editor saves Bo: the form carries no mentor id to change.
        let editor = bo.get("/dashboard/profile")
        #expect(editor.body.contains("value=\"Bo Lind\"") && !editor.body.contains("Ana Weber"))
    }
}

@Suite struct DashboardSessionTests {
    @Test func aMentorCancelsWithAReasonThePatientIsMailedAndRefundedInFull() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        var ana = WizardBrowser(site)
        let dashboard = try signIn(site, &ana, email: "ana@mentors.example")
        #expect(dashboard.body.contains("pat@example.org") && dashboard.body.contains("Sleeping badly."))
        let empty = ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "cancel"), ("appointment", id), ("reason", "  ")])
        #expect(empty.status == 422 && empty.body.contains("Tell the patient why"))
        let page = ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "cancel"), ("appointment", id), ("reason", "I am ill.")])
        #expect(page.status == 200 && page.body.contains("is cancelled"))
        #expect(try site.count("SELECT count(*) FROM appointments WHERE status = 'cancelled' AND cancelled_by = 'mentor' AND cancel_reason = 'I am ill.'") == 1)
        let mail = try #require(try site.database.connection.query("SELECT subject, body FROM outbox WHERE kind = 'cancelled-by-mentor'") { ($0.text(0), $0.text(1)) }.first)
        #expect(mail.0.hasPrefix("Cancelled by Ana Weber: ") && mail.1.contains("Their reason: I am ill.") && mail.1.contains("?mentor=ana-weber"))
        // Captured when the patient confirmed; the mentor's cancellation refunds all of it.
        let ledger = site.ledger()
        #expect(ledger.map { $0["op"] } == ["authorize", "capture", "refund"])
        #expect(ledger[2]["amount_minor"] == ledger[1]["amount_minor"] && ledger[1]["amount_minor"] == ledger[0]["amount_minor"])
        #expect(try site.database.payment(appointmentID: id).map(PaymentSettlement.describe) == "€79.17 refunded")
        #expect(mail.1.contains("You are not charged for it: what you paid is refunded in full."))
    }

    @Test func aSessionThatBeganIsMarkedCompletedOrNoShowOnlyAfterItsStart() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        let start = try #require(try site.database.appointment(id: id)).start
        var ana = WizardBrowser(site)
        let dashboard = try signIn(site, &ana, email: "ana@mentors.example")
        #expect(ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "no-show"), ("appointment", id)]).status == 409)
        site.now = start + 600
        let later = ana.get("/dashboard")
        #expect(later.body.contains("value=\"no-show\""))
        #expect(ana.post("/dashboard", [("csrf", later.field("csrf")!), ("action", "no-show"), ("appointment", id)]).status == 200)
        #expect(try site.database.appointment(id: id)?.status == .noShow)
        #expect(ana.post("/dashboard", [("csrf", later.field("csrf")!), ("action", "completed"), ("appointment", id)]).status == 409)
    }

    @Test func pausingStopsBookingAtOnceAndIsQueuedForThePublicPage() throws {
        let site = try twoMentorSite()
        var ana = WizardBrowser(site)
        let dashboard = try signIn(site, &ana, email: "ana@mentors.example")
        #expect(ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "pause")]).body.contains("Bookings are paused"))
        var patient = WizardBrowser(site)
        #expect(patient.get("", "mentor=ana-weber").status == 404)
        #expect(try site.count("SELECT count(*) FROM site_changes WHERE reason = 'paused' AND published_at IS NULL") == 1)
        #expect(try site.count("SELECT count(*) FROM profile_audit WHERE actor = 'mentor:ana-weber'") == 1)
    }

    @Test func theCalendarFeedWorksWithoutACookieUntilRevokedAndCarriesNoHealthDetails() throws {
        let site = try twoMentorSite()
        _ = try bookWithAna(site)
        var ana = WizardBrowser(site)
        let dashboard = try signIn(site, &ana, email: "ana@mentors.example")
        let made = ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "feed-create")])
        let url = try #require(made.field("feed_url") ?? made.body.components(separatedBy: "id=\"feed-url\" readonly value=\"").dropFirst().first.map { String($0.prefix { $0 != "\"" }) })
        let token = String(url.split(separator: "token=")[1])
        var app = WizardBrowser(site)
        let feed = app.get("/dashboard/calendar.ics", "token=" + token)
        #expect(feed.status == 200 && feed.header("Content-Type")?.hasPrefix("text/calendar") == true)
        #expect(feed.body.contains("SUMMARY:Video call: Pat Doe") && !feed.body.contains("Sleeping") && !feed.body.contains("Anxiety") && !feed.body.contains("pat@example.org"))
        _ = ana.post("/dashboard", [("csrf", dashboard.field("csrf")!), ("action", "feed-revoke")])
        #expect(app.get("/dashboard/calendar.ics", "token=" + token).status == 404)
    }
}
