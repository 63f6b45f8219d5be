import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

@Suite struct WizardTests {
    @Test func aNewPatientWalksEveryStepAndGetsAHoldAndAConfirmationMail() throws {
        let site = try WizardSite(now: tuesdayNight)
        let (browser0, payment, start) = walkToPayment(site) { $0.first }
        var browser = browser0
        #expect(payment.body.contains("Test payments only"))
        let done = browser.follow(browser.post("/payment", paymentForm(payment)))
        #expect(done.status == 200 && done.body.contains("Check your email to confirm"), "\(done.body.prefix(400))")
        #expect(try site.count("SELECT count(*) FROM appointments WHERE status = 'pending' AND starts_at = \(start)") == 1)
        #expect(try site.count("SELECT count(*) FROM outbox WHERE kind = 'confirm' AND recipient = 'pat@example.org'") == 1)
        #expect(try site.count("SELECT count(*) FROM payments WHERE status = 'authorized' AND appointment_id IS NOT NULL") == 1)
        #expect(site.ledger().map { $0["op"] } == ["authorize"])
    }

    @Test func aSlotInsideTheCancellationWindowIsMarkedBeforePaying() throws {
        // Tuesday 01:05 UTC: Berlin's 09:00–17:00 today starts 12.9 h away, inside 24 h.
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let time = browser.get("/time", "mentor=ana-weber&specialty=Anxiety&type=video&tz=Europe/Berlin")
        #expect(time.status == 200)
        #expect(time.body.contains("id=\"late-note\"") && time.body.contains("cannot be cancelled or moved online"))
        #expect(time.body.contains("mailto:help@example.org"))
        let late = time.starts.filter { $0 - tuesdayNight < 24 * 3600 }
        let later = time.starts.filter { $0 - tuesdayNight >= 24 * 3600 }
        #expect(!late.isEmpty && !later.isEmpty)
        // Every late slot carries the mark, no later one does.
        for start in late { #expect(time.body.contains("value=\"\(start)\" required> <label for=\"slot-\(start)\">") && labelOf(start, in: time).contains("final")) }
        for start in later { #expect(!labelOf(start, in: time).contains("final")) }

        let (_, payment, _) = walkToPayment(site) { $0.first }
        #expect(payment.body.contains("cannot be cancelled or moved online once booked"))
        let (_, calm, _) = walkToPayment(site, email: "calm@example.org") { $0.first { $0 - tuesdayNight >= 24 * 3600 } }
        #expect(!calm.body.contains("late-note"))
    }

    @Test func theManagePageSaysWhyThereIsNoCancelButton() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, start) = walkToPayment(site) { $0.first }
        _ = browser.post("/payment", paymentForm(payment))
        let token = manageToken(site, browser)
        let manage = browser.get("/manage", "token=" + token)
        #expect(manage.status == 200)
        #expect(!manage.body.contains("Cancel this session"))
        #expect(manage.body.contains("starts in less than 24 hours, so it can no longer be cancelled or moved online"))
        #expect(start - tuesdayNight < 24 * 3600)
    }

    /// The manage token of the latest booking in this browser (from its confirmation cookie).
    func manageToken(_ site: WizardSite, _ browser: WizardBrowser) -> String {
        let claims = try? SignedToken.verify(browser.cookies["bk_done"] ?? "", purpose: "done", now: site.now, key: site.key)
        return String(claims?.subject.split(separator: " ").last ?? "")
    }

    func labelOf(_ start: Int, in page: Page) -> String {
        guard let range = page.body.range(of: "<label for=\"slot-\(start)\">") else { return "" }
        let rest = page.body[range.upperBound...]
        return String(rest[..<rest.range(of: "</label>")!.lowerBound])
    }
}

@Suite struct UnverifiedDetailsTests {
    @Test func aStrangerBookingWithAVerifiedPatientsAddressChangesNothingOfTheirs() throws {
        let site = try WizardSite(now: tuesdayNight)
        // The real patient books and confirms: verified, with their own name and phone.
        var (patient, payment, _) = walkToPayment(site, email: "vic@example.org", name: "Vic Tim", phone: "+49 30 1111111") { $0.last }
        _ = patient.post("/payment", paymentForm(payment))
        let confirmLink = try #require(try site.database.connection.scalarText("SELECT body FROM outbox WHERE kind = 'confirm'"))
        let token = String(confirmLink.split(separator: "token=")[1].prefix { !$0.isWhitespace })
        let confirmPage = patient.get("/confirm", "token=" + token)
        #expect(patient.post("/confirm", [("csrf", confirmPage.field("csrf")!), ("token", token)]).status == 303)
        let record = { try site.database.connection.query("SELECT name, phone, verified_at IS NOT NULL FROM patients WHERE email = 'vic@example.org'") { "\($0.text(0))|\($0.text(1))|\($0.int(2))" } }
        #expect(try record() == ["Vic Tim|+49 30 1111111|1"])

        // A stranger runs the wizard with the victim's address, pays, and never confirms.
        var (stranger, strangerPayment, strangerStart) = walkToPayment(site, email: "vic@example.org", name: "Mallory", phone: "+1 555 0100") { $0.first }
        #expect(stranger.post("/payment", paymentForm(strangerPayment)).status == 303)
        #expect(try record() == ["Vic Tim|+49 30 1111111|1"])
        // The stranger's details stay on their own pending appointment, and that is what the
        // mentor sees for it.
        let upcoming = try site.database.upcomingAppointments(mentorID: site.database.mentors()[0].id, from: site.now)
        let held = try #require(upcoming.first { $0.appointment.start == strangerStart })
        #expect(held.name == "Mallory" && held.phone == "+1 555 0100" && held.appointment.status == .pending)
        #expect(upcoming.contains { $0.name == "Vic Tim" && $0.appointment.status == .scheduled })
    }
}

/// `/slots` is cacheable by shared caches: public for a minute, with an ETag that answers a
/// repeat with 304, and no cookie read or set.
@Suite struct CacheableSlotsTests {
    @Test func theSlotsAnswerIsPublicForAMinuteWithAnETag() throws {
        let site = try WizardSite(now: tuesdayNight)
        var browser = WizardBrowser(site)
        let first = browser.send("GET", "/slots", query: "mentor=ana-weber&days=7", extra: ["HTTP_COOKIE": "bk_session=whatever"])
        #expect(first.status == 200 && first.body.hasPrefix("{\"mentor\":\"ana-weber\""))
        #expect(first.header("Cache-Control") == "public, max-age=60")
        #expect(first.headers.filter { $0.name == "Cache-Control" }.count == 1)
        #expect(first.header("Set-Cookie") == nil)
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.count == 18)
        let again = browser.send("GET", "/slots", query: "mentor=ana-weber&days=7", extra: ["HTTP_IF_NONE_MATCH": "\"x\", " + etag])
        #expect(again.status == 304 && again.body.isEmpty && again.header("ETag") == etag)
        // Another answer (a slot booked meanwhile) has another tag.
        site.now += 86_400
        let later = browser.send("GET", "/slots", query: "mentor=ana-weber&days=7", extra: ["HTTP_IF_NONE_MATCH": etag])
        #expect(later.status == 200 && later.header("ETag") != etag)
        // Errors stay uncached.
        #expect(browser.get("/slots", "mentor=nobody").header("Cache-Control") == "no-store")
    }
}
