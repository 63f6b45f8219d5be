import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// The sign-in link as a person receives it: from the outbox.
func signInLink(_ site: WizardSite, to email: String) throws -> String? {
    let bodies = try site.database.connection.query("SELECT body FROM outbox WHERE kind = 'sign-in' AND recipient = ? ORDER BY id DESC", [email]) { $0.text(0) }
    guard let body = bodies.first, let range = body.range(of: "token=") else { return nil }
    return String(body[range.upperBound...].prefix { !$0.isWhitespace })
}

/// Signs a browser in by emailed link; returns the page it lands on.
func signIn(_ site: WizardSite, _ browser: inout WizardBrowser, email: String) throws -> Page {
    let form = browser.get("/sign-in")
    _ = browser.post("/sign-in", [("csrf", form.field("csrf") ?? ""), ("email", email)])
    let token = try #require(try signInLink(site, to: email))
    let button = browser.get("/sign-in", "token=" + token)
    #expect(button.status == 200 && button.body.contains("Sign in"))
    return browser.follow(browser.post("/sign-in", [("csrf", button.field("csrf") ?? ""), ("token", token)]))
}

@Suite struct SignInTests {
    @Test func aMentorSignsInByLinkAndLandsOnTheDashboard() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let page = try signIn(site, &browser, email: "ana@mentors.example")
        #expect(page.status == 200 && page.body.contains("Your dashboard") && page.body.contains("Signed in as Ana Weber"))
        #expect(browser.cookies["bk_account"] != nil)
    }

    @Test func knownAndUnknownAddressesGetTheSameAnswerAndOnlyKnownOnesAMail() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let form = browser.get("/sign-in")
        let known = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "ana@mentors.example")])
        let unknown = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "nobody@example.org")])
        #expect(known.status == 200 && unknown.status == 200)
        func notice(_ page: Page) -> String {
            let start = page.body.range(of: "id=\"sign-in-sent\">")!.upperBound
            return String(page.body[start...].prefix { $0 != "<" }).replacingOccurrences(of: "ana@mentors.example", with: "X").replacingOccurrences(of: "nobody@example.org", with: "X")
        }
        #expect(notice(known) == notice(unknown))
        #expect(try site.count("SELECT count(*) FROM outbox WHERE kind = 'sign-in'") == 1)
    }

    @Test func aLinkWorksOnceAndOnlyForItsTimeAndItsGetWritesNothing() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let form = browser.get("/sign-in")
        _ = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "ana@mentors.example")])
        let token = try #require(try signInLink(site, to: "ana@mentors.example"))
        // A mail scanner opens the link: nothing happens.
        var scanner = WizardBrowser(site)
        _ = scanner.get("/sign-in", "token=" + token)
        #expect(try site.count("SELECT count(*) FROM account_sessions") == 0)
        let button = browser.get("/sign-in", "token=" + token)
        #expect(browser.post("/sign-in", [("csrf", button.field("csrf")!), ("token", token)]).status == 303)
        var other = WizardBrowser(site)
        let again = other.get("/sign-in", "token=" + token)
        #expect(again.status == 400)
        // A second link, used after its 30 minutes.
        _ = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "ana@mentors.example")])
        let late = try #require(try signInLink(site, to: "ana@mentors.example"))
        site.now += 31 * 60
        var later = WizardBrowser(site)
        #expect(later.get("/sign-in", "token=" + late).status == 400)
    }

    @Test func signingOutEndsTheSessionOnTheServerToo() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let dashboard = try signIn(site, &browser, email: "ana@mentors.example")
        let cookie = try #require(browser.cookies["bk_account"])
        #expect(browser.post("/sign-out", [("csrf", dashboard.field("csrf")!)]).status == 303)
        // The old cookie, replayed, signs nobody in.
        var thief = WizardBrowser(site)
        thief.cookies["bk_account"] = cookie
        let page = thief.get("/dashboard")
        #expect(page.status == 303 && page.header("Location")?.hasSuffix("/sign-in") == true)
    }

    @Test func tooManyLinksForOneAddressAre429AndWriteNoMore() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let form = browser.get("/sign-in")
        for _ in 0..<5 { _ = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "ana@mentors.example")]) }
        let sixth = browser.post("/sign-in", [("csrf", form.field("csrf")!), ("email", "ana@mentors.example")])
        #expect(sixth.status == 429 && sixth.header("Retry-After") != nil)
        #expect(try site.count("SELECT count(*) FROM outbox WHERE kind = 'sign-in'") == 5)
    }

    @Test func aPatientSignsInAndSeesTheirSessionsAndOnlyTheirs() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (booker, payment, _) = walkToPayment(site, email: "pat@example.org") { $0.last }
        _ = booker.post("/payment", paymentForm(payment))
        var (other, otherPayment, _) = walkToPayment(site, email: "other@example.org") { $0.dropLast().last }
        _ = other.post("/payment", paymentForm(otherPayment))
        var browser = WizardBrowser(site)
        let sessions = try signIn(site, &browser, email: "pat@example.org")
        #expect(sessions.status == 200 && sessions.body.contains("Your sessions") && sessions.body.contains("Ana Weber"))
        let mine = try #require(try site.database.connection.query("SELECT a.id FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE p.email = 'pat@example.org'") { $0.text(0) }.first)
        let theirs = try #require(try site.database.connection.query("SELECT a.id FROM appointments a JOIN patients p ON p.id = a.patient_id WHERE p.email = 'other@example.org'") { $0.text(0) }.first)
        #expect(browser.get("/manage", "appointment=" + mine).status == 200)
        #expect(browser.get("/manage", "appointment=" + theirs).status == 404)
        #expect(browser.get("/calendar.ics", "appointment=" + theirs).status == 404)
        // A patient is not a mentor.
        #expect(browser.get("/dashboard").status == 403)
        #expect(browser.get("/dashboard/profile").status == 403)
    }
}

/// `/sessions` for a patient with a booked and a cancelled session: times in both zones,
/// the join link of the one to come, what was paid or refunded, who cancelled.
@Suite struct SessionsPageTests {
    @Test func showsJoinLinkPaymentAndWhoCancelled() throws {
        let site = try twoMentorSite()
        _ = try bookWithAna(site, pick: { $0.last })
        _ = try bookWithAna(site, pick: { $0.first })
        // Both were booked at the same clock: told apart by their start.
        let ids = try site.database.connection.query("SELECT id FROM appointments ORDER BY starts_at") { $0.text(0) }
        let (kept, dropped) = (ids[0], ids[1])
        _ = try site.database.cancel(appointmentID: dropped, by: .mentor, reason: "ill", window: 0, now: site.now) { _ in [] }
        try PaymentSettlement(database: site.database, provider: TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now), now: site.now).run()
        var browser = WizardBrowser(site)
        let page = try signIn(site, &browser, email: "pat@example.org")
        let link = try #require(try site.database.appointment(id: kept)?.meetingLink)
        #expect(page.body.contains("href=\"\(link)\" rel=\"noopener noreferrer\">Join the session</a>"))
        #expect(page.body.contains("· booked · €79.17 paid<br>"))
        #expect(page.body.contains("cancelled by Ana Weber · €79.17 refunded"))
        #expect(page.body.components(separatedBy: "Join the session").count == 2)
    }
}
