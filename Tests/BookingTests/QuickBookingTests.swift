import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// A signed-in patient books again in fewer steps: the time step also asks for notes (and
/// text reminders where SMS are configured), the details come from their last booking, and
/// no email confirmation is needed. All plain forms.
@Suite struct QuickBookingTests {
    let query = "mentor=ana-weber&specialty=Anxiety&type=video&tz=Europe/Berlin"

    @Test func aSignedInPatientChoosesTimeAndNotesOnOnePageAndIsBookedAtOnce() throws {
        let site = try WizardSite(now: tuesdayNight)
        _ = try bookWithAna(site, pick: { $0.last })
        var browser = WizardBrowser(site)
        _ = try signIn(site, &browser, email: "pat@example.org")
        let time = browser.get("/time", query)
        #expect(time.status == 200 && time.body.contains("Booking as Pat Doe, with the details of your last booking."))
        #expect(time.body.contains("name=\"notes\"") && time.body.contains(">Continue to payment</button>"))
        #expect(!time.body.contains("name=\"sms\""))  // no sms_command here
        let start = try #require(time.starts.first)
        let form = [("csrf", time.field("csrf")!), ("mentor", "ana-weber"), ("specialty", "Anxiety"), ("type", "video"), ("tz", "Europe/Berlin"),
                    ("start", String(start)), ("notes", "Following up."), ("quick", "1")]
        let chosen = browser.post("/time", form)
        #expect(chosen.status == 303 && chosen.header("Location") == "/cgi-bin/book/payment")
        let payment = browser.follow(chosen)
        #expect(payment.status == 200 && payment.body.contains("Pat Doe"))
        let booked = browser.follow(browser.post("/payment", paymentForm(payment)))
        #expect(booked.status == 200 && booked.body.contains("You are booked"))
        let row = try #require(try site.database.connection.query("SELECT status, patient_name, patient_phone, notes FROM appointments WHERE starts_at = ?", [start]) {
            ($0.text(0), $0.optionalText(1), $0.optionalText(2), $0.optionalText(3))
        }.first)
        #expect(row.0 == "scheduled" && row.1 == "Pat Doe" && row.2 == "+49 30 1234567" && row.3 == "Following up.")
        // Booked without a confirmation mail, and paid at once.
        #expect(try site.count("SELECT count(*) FROM outbox WHERE kind = 'confirm'") == 1)
        #expect(site.ledger().map { $0["op"] } == ["authorize", "capture", "authorize", "capture"])
    }

    @Test func tooLongNotesStayOnTheTimePageWithTheMessageAndWriteNothing() throws {
        let site = try WizardSite(now: tuesdayNight)
        _ = try bookWithAna(site, pick: { $0.last })
        var browser = WizardBrowser(site)
        _ = try signIn(site, &browser, email: "pat@example.org")
        let time = browser.get("/time", query)
        let drafts = try site.count("SELECT count(*) FROM booking_drafts")
        let page = browser.post("/time", [("csrf", time.field("csrf")!), ("mentor", "ana-weber"), ("specialty", "Anxiety"), ("type", "video"),
                                          ("tz", "Europe/Berlin"), ("start", String(time.starts[0])), ("notes", String(repeating: "a", count: 2001)), ("quick", "1")])
        #expect(page.status == 422 && page.body.contains("Keep your notes under 2000 characters"))
        #expect(try site.count("SELECT count(*) FROM booking_drafts") == drafts)
    }

    @Test func changingDetailsFirstLeadsToTheDetailsStep() throws {
        let site = try WizardSite(now: tuesdayNight)
        _ = try bookWithAna(site, pick: { $0.last })
        var browser = WizardBrowser(site)
        _ = try signIn(site, &browser, email: "pat@example.org")
        let time = browser.get("/time", query)
        let page = browser.post("/time", [("csrf", time.field("csrf")!), ("mentor", "ana-weber"), ("specialty", "Anxiety"), ("type", "video"),
                                          ("tz", "Europe/Berlin"), ("start", String(time.starts[0])), ("quick", "0")])
        #expect(page.status == 303 && page.header("Location")?.hasPrefix("/cgi-bin/book/details?") == true)
    }

    @Test func textRemindersAreAskedForOnlyWhereSMSAreConfiguredAndNeedANumber() throws {
        let site = try WizardSite(now: tuesdayNight, configText: "sms_command: /bin/true")
        var (browser, _, start) = walkToPayment(site) { $0.last }
        let base = [("mentor", "ana-weber"), ("tz", "Europe/Berlin"), ("specialty", "Anxiety"), ("type", "video"), ("start", String(start))]
        let details = browser.get("/details", base.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&"))
        #expect(details.body.contains("Also text me the reminders at this number"))
        let missing = browser.post("/details", [("csrf", details.field("csrf")!)] + base + [("name", "Pat Doe"), ("email", "pat@example.org"), ("sms", "yes")])
        #expect(missing.status == 422 && missing.body.contains("Enter the phone number for the text reminders, or untick them."))
        let payment = browser.follow(browser.post("/details", [("csrf", details.field("csrf")!)] + base + [("name", "Pat Doe"), ("email", "pat@example.org"),
                                                                                                          ("phone", "+49 30 1234567"), ("sms", "yes")]))
        _ = browser.post("/payment", paymentForm(payment))
        #expect(try site.count("SELECT count(*) FROM appointments WHERE sms_consent = 1 AND patient_phone = '+49 30 1234567'") == 1)
    }
}
