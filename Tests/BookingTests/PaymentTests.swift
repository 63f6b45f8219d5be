import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// Payments: a form is authorised at most once, and every authorisation whose booking does
/// not happen is voided, as the test provider's ledger shows.
@Suite struct PaymentTests {
    func snapshot(_ site: WizardSite) throws -> [Int] {
        try ["appointments", "payments", "rate_limits", "outbox", "patients"].map { try site.count("SELECT count(*) FROM \($0)") }
    }

    @Test func aMistypedCardIsRefusedBeforeAnythingIsWritten() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        let before = try snapshot(site)
        var form = paymentForm(payment)
        form[3] = ("card_expiry", "13/30")
        let page = browser.post("/payment", form)
        #expect(page.status == 422 && page.body.contains("Enter the expiry date as MM/YY."))
        #expect(try snapshot(site) == before)
        #expect(site.ledger().isEmpty)
    }

    @Test func aDeclinedCardIsRecordedAndTheSameFormMayTryAnotherCard() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        let declined = browser.post("/payment", paymentForm(payment, card: "4000 0000 0000 0002"))
        #expect(declined.status == 422 && declined.body.contains("declined this card"))
        #expect(try site.count("SELECT count(*) FROM payments WHERE status = 'declined'") == 1)
        #expect(try site.count("SELECT count(*) FROM appointments") == 0)
        let done = browser.follow(browser.post("/payment", paymentForm(payment)))
        #expect(done.status == 200 && done.body.contains("Check your email to confirm"))
        #expect(site.ledger().map { $0["op"] } == ["decline", "authorize"])
        #expect(try site.count("SELECT count(*) FROM payments WHERE status = 'authorized'") == 1)
    }

    @Test func aSlotTakenWhilePayingIsAConflictAndTheAuthorisationIsVoided() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (first, firstPayment, start) = walkToPayment(site) { $0.last }
        var (second, secondPayment, _) = walkToPayment(site, email: "second@example.org") { _ in start }
        #expect(first.post("/payment", paymentForm(firstPayment)).status == 303)
        let conflict = second.post("/payment", paymentForm(secondPayment))
        #expect(conflict.status == 409 && conflict.body.contains("That time was just taken"))
        let ledger = site.ledger()
        #expect(ledger.map { $0["op"] } == ["authorize", "authorize", "void"])
        #expect(ledger[2]["reference"] == ledger[1]["reference"] && ledger[2]["reason"] == "slot taken")
        #expect(try site.count("SELECT count(*) FROM payments WHERE status = 'voided' AND detail = 'slot taken'") == 1)
    }

    @Test func aMentorWhoLeftBeforeThePaymentIsSubmittedIsNeverCharged() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        try site.database.connection.execute("UPDATE mood_mentor_profiles SET is_active = 0")
        let page = browser.post("/payment", paymentForm(payment))
        // The draft names a mentor who is gone: the flow stops before the provider is asked.
        #expect(page.status == 404)
        #expect(site.ledger().isEmpty)
    }

    @Test func aRepeatedSubmitOfABookedFormReturnsTheSameBookingWithoutPayingAgain() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        let first = browser.post("/payment", paymentForm(payment))
        let firstCookie = browser.cookies["bk_done"]
        browser.cookies["bk_done"] = nil
        let again = browser.post("/payment", paymentForm(payment))
        #expect(first.status == 303 && again.status == 303)
        #expect(browser.cookies["bk_done"] == firstCookie)
        #expect(site.ledger().map { $0["op"] } == ["authorize"])
        #expect(try site.count("SELECT count(*) FROM appointments") == 1)
    }

    @Test func aSubmitWhileAnotherHoldsTheClaimWaitsForItsAnswerAndNeverCallsTheProvider() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        let key = payment.field("idempotency")!
        // Another request of the same form has claimed it and is asking the provider.
        #expect(try site.database.claimPayment(idempotencyKey: key, provider: "test", amountMinor: 7917, currency: "EUR", now: site.now, limits: []) == .claimed)
        let path = site.config.database
        let now = site.now
        let answer = Thread {
            usleep(300_000)
            let other = try! MentorDatabase(path: path, create: false)
            try! other.recordAuthorization(idempotencyKey: key, result: .declined(message: "Declined by the other request."), now: now)
        }
        answer.start()
        let page = browser.post("/payment", paymentForm(payment))
        #expect(page.status == 422 && page.body.contains("Declined by the other request."))
        #expect(site.ledger().isEmpty)
    }

    @Test func aClaimLeftByADeadProcessCanBeTakenOverAfterItsTime() throws {
        let site = try WizardSite(now: tuesdayNight)
        let db = site.database
        #expect(try db.claimPayment(idempotencyKey: "k", provider: "test", amountMinor: 100, currency: "EUR", now: 1000, limits: []) == .claimed)
        #expect(try db.claimPayment(idempotencyKey: "k", provider: "test", amountMinor: 100, currency: "EUR", now: 1119, limits: []) == .inProgress)
        #expect(try db.claimPayment(idempotencyKey: "k", provider: "test", amountMinor: 100, currency: "EUR", now: 1120, limits: []) == .claimed)
        try db.recordAuthorization(idempotencyKey: "k", result: .authorized(reference: "test_ref"), now: 1121)
        guard case .authorized(let record) = try db.claimPayment(idempotencyKey: "k", provider: "test", amountMinor: 100, currency: "EUR", now: 1122, limits: []) else {
            Issue.record("an authorised form must not be claimed again")
            return
        }
        #expect(record.reference == "test_ref" && record.appointmentID == nil)
    }

    @Test func pastTheHourlyLimitAClaimWritesNothing() throws {
        let site = try WizardSite(now: tuesdayNight)
        let db = site.database
        let limits = [(key: "email:a@example.org", limit: 1)]
        #expect(try db.claimPayment(idempotencyKey: "one", provider: "test", amountMinor: 1, currency: "EUR", now: 5000, limits: limits) == .claimed)
        let before = try snapshot(site)
        #expect(try db.claimPayment(idempotencyKey: "two", provider: "test", amountMinor: 1, currency: "EUR", now: 5001, limits: limits) == .limited(retryAfter: 2199))
        #expect(try snapshot(site) == before)
    }

    @Test func anExpiredHoldAndACancelledSessionAreVoidedByTheSweep() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        _ = browser.post("/payment", paymentForm(payment))
        // Nobody confirms: half an hour later the hold runs out.
        let later = site.now + 31 * 60
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: later)
        var lines: [String] = []
        let report = try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: later) { lines.append($0) }
        #expect(report == Housekeeping.Report(expiredHolds: 1, released: 1))
        #expect(try site.count("SELECT count(*) FROM appointments WHERE status = 'expired'") == 1)
        #expect(site.ledger().map { $0["op"] } == ["authorize", "void"])
        // A second sweep finds nothing more to do.
        #expect(try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: later + 60) { _ in } == Housekeeping.Report())
    }

    @Test func cancellingASessionVoidsItsAuthorisation() throws {
        let site = try WizardSite(now: tuesdayNight)
        var (browser, payment, _) = walkToPayment(site) { $0.last }
        _ = browser.post("/payment", paymentForm(payment))
        let claims = try SignedToken.verify(browser.cookies["bk_done"] ?? "", purpose: "done", now: site.now, key: site.key)
        let token = String(claims.subject.split(separator: " ")[1])
        let manage = browser.get("/manage", "token=" + token)
        let cancelled = browser.post("/manage", [("csrf", manage.field("csrf")!), ("token", token), ("action", "cancel")])
        #expect(cancelled.status == 200 && cancelled.body.contains("Your session is cancelled"))
        #expect(site.ledger().map { $0["op"] } == ["authorize", "void"])
        #expect(try site.count("SELECT count(*) FROM payments WHERE status = 'voided' AND detail = 'booking did not take place'") == 1)
    }
}

@Suite struct PaymentSweepTests {
    @Test func aClaimWhoseProcessDiedAfterTheProviderAnsweredIsSettledAndVoided() throws {
        let site = try WizardSite(now: tuesdayNight)
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now)
        #expect(try site.database.claimPayment(idempotencyKey: "dead", provider: "test", amountMinor: 500, currency: "EUR", now: site.now, limits: []) == .claimed)
        // The provider authorised; the process was killed before it could record the answer.
        guard case .success(let reference) = provider.authorize(amountMinor: 500, currency: "EUR", card: CardInput(number: "4242424242424242", expiry: "12/30", cvc: "123"), idempotencyKey: "dead") else {
            Issue.record("the test card must be authorised")
            return
        }
        // While the claim may still be alive, the sweep leaves it alone.
        #expect(try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: site.now + 60) { _ in }.released == 0)
        let report = try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: site.now + 121) { _ in }
        #expect(report.released == 1)
        #expect(site.ledger().last?["op"] == "void" && site.ledger().last?["reference"] == reference)
        #expect(try site.database.payment(idempotencyKey: "dead")?.status == .voided)
    }

    @Test func aClaimThatNeverReachedTheProviderIsClosedAsAbandoned() throws {
        let site = try WizardSite(now: tuesdayNight)
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now)
        _ = try site.database.claimPayment(idempotencyKey: "gone", provider: "test", amountMinor: 500, currency: "EUR", now: site.now, limits: [])
        #expect(try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: site.now + 121) { _ in } == Housekeeping.Report())
        #expect(try site.database.payment(idempotencyKey: "gone")?.status == .declined)
        #expect(site.ledger().isEmpty)
    }
}

/// The test provider, failing its captures while `failing` says so (a provider that is down).
struct FlakyProvider: PaymentProvider {
    var inner: TestPaymentProvider
    var failing: Bool
    var name: String { inner.name }
    var isTestProvider: Bool { true }
    func authorize(amountMinor: Int, currency: String, card: CardInput, idempotencyKey: String) -> Result<String, PaymentDeclined> {
        inner.authorize(amountMinor: amountMinor, currency: currency, card: card, idempotencyKey: idempotencyKey)
    }
    func void(reference: String, reason: String) throws(PaymentProviderError) { try inner.void(reference: reference, reason: reason) }
    func capture(reference: String, amountMinor: Int) throws(PaymentProviderError) {
        if failing { throw PaymentProviderError("provider unreachable") }
        try inner.capture(reference: reference, amountMinor: amountMinor)
    }
    func refund(reference: String, amountMinor: Int, reason: String) throws(PaymentProviderError) {
        if failing { throw PaymentProviderError("provider unreachable") }
        try inner.refund(reference: reference, amountMinor: amountMinor, reason: reason)
    }
    func authorization(idempotencyKey: String) throws(PaymentProviderError) -> String? { try inner.authorization(idempotencyKey: idempotencyKey) }
}

/// Payments follow their sessions: captured once booked, refunded by the policy when
/// cancelled, each step once, as the ledger and `describe` show.
@Suite struct PaymentLifecycleTests {
    @Test func aConfirmedSessionIsCapturedAndThePatientsCancellationRefundsItInFull() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        #expect(site.ledger().map { $0["op"] } == ["authorize", "capture"])
        #expect(try site.database.payment(appointmentID: id).map(PaymentSettlement.describe) == "€79.17 paid")
        // The patient cancels from the manage link in the booked mail (outside the window).
        let body = try #require(try site.database.connection.query("SELECT body FROM outbox WHERE kind = 'booked'") { $0.text(0) }.first)
        let token = String(body.split(separator: "manage?token=")[1].prefix { !$0.isWhitespace })
        var browser = WizardBrowser(site)
        let manage = browser.get("/manage", "token=" + token)
        #expect(browser.post("/manage", [("csrf", manage.field("csrf")!), ("token", token), ("action", "cancel")]).status == 200)
        #expect(site.ledger().map { $0["op"] } == ["authorize", "capture", "refund"])
        #expect(site.ledger()[2]["amount_minor"] == "7917")
        #expect(try site.database.payment(appointmentID: id).map(PaymentSettlement.describe) == "€79.17 refunded")
        let mail = try #require(try site.database.connection.query("SELECT body FROM outbox WHERE kind = 'cancelled'") { $0.text(0) }.first)
        #expect(mail.contains("You are not charged for it: what you paid is refunded in full."))
        // Nothing more to settle.
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now + 60)
        #expect(try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: site.now + 60) { _ in }.refunded == 0)
    }

    @Test func insideTheWindowACancellationForThePatientKeepsTheConfiguredFee() throws {
        let site = try WizardSite(now: tuesdayNight, mentors: [WizardSite.berlinMentor()], configText: "booking_late_cancellation_fee_percent: 50")
        let id = try bookWithAna(site, pick: { $0.first })
        let appointment = try #require(try site.database.appointment(id: id))
        // Two hours before the start, the operator cancels on the patient's behalf.
        let late = appointment.start - 2 * 3600
        let fee = PaymentSettlement.fee(for: appointment, by: .patient, window: 24 * 3600, feePercent: site.config.booking.lateCancellationFeePercent, now: late)
        #expect(fee == 3958)
        #expect(PaymentSettlement.fee(for: appointment, by: .mentor, window: 24 * 3600, feePercent: 50, now: late) == 0)
        #expect(PaymentSettlement.fee(for: appointment, by: .patient, window: 24 * 3600, feePercent: 50, now: appointment.start - 25 * 3600) == 0)
        _ = try site.database.cancel(appointmentID: id, by: .patient, reason: "called in", window: 0, keepMinor: fee, now: late) { _ in [] }
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: late)
        let report = try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: late) { _ in }
        #expect(report.refunded == 1)
        #expect(site.ledger().last?["op"] == "refund" && site.ledger().last?["amount_minor"] == "3959")
        #expect(try site.database.payment(appointmentID: id).map(PaymentSettlement.describe) == "€39.59 of €79.17 refunded")
        #expect(PaymentSettlement.cancellationNote(try site.database.payment(appointmentID: id), keepMinor: fee) == nil)
    }

    @Test func aProviderThatIsDownIsRetriedByTheSweepAndNothingIsTakenTwice() throws {
        let site = try twoMentorSite()
        site.payment = FlakyProvider(inner: TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now), failing: true)
        let id = try bookWithAna(site)
        #expect(try site.database.payment(appointmentID: id)?.status == .authorized)
        #expect(try site.database.payment(appointmentID: id)?.detail == "not settled: provider unreachable")
        let down = FlakyProvider(inner: TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now + 60), failing: true)
        #expect(try Housekeeping.run(database: site.database, payments: down, config: site.config, now: site.now + 60) { _ in }.settlementFailures == 1)
        let up = FlakyProvider(inner: TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now + 120), failing: false)
        #expect(try Housekeeping.run(database: site.database, payments: up, config: site.config, now: site.now + 120) { _ in }.captured == 1)
        #expect(try Housekeeping.run(database: site.database, payments: up, config: site.config, now: site.now + 180) { _ in }.captured == 0)
        #expect(site.ledger().map { $0["op"] } == ["authorize", "capture"])
    }
}

/// A mentor who leaves the directory: sessions still to come are cancelled, the patient is
/// told why with a link to book someone else, and refunded in full.
@Suite struct MentorDepartureTests {
    @Test func theirPatientsAreEmailedAndRefundedInFull() throws {
        let site = try twoMentorSite()
        let id = try bookWithAna(site)
        // Ana's file is removed: the import makes her inactive.
        let bo = try #require(try site.database.mentors().first { $0.profile.name == "Bo Lind" })
        let report = try site.database.sync([(bo.sourcePath, bo.profile)], now: "2026-12-01T02:00:00Z") { Slug.make(transliterated: $0.lowercased(), original: $0) }
        #expect(report.deactivated == ["mentors/0.md"])
        #expect(try MentorDeparture.cancelSessions(database: site.database, config: site.config, sourcePaths: report.deactivated, now: site.now + 60) == 1)
        #expect(try site.count("SELECT count(*) FROM appointments WHERE status = 'cancelled' AND cancelled_by = 'operator' AND cancel_reason = 'mentor left the directory'") == 1)
        let mail = try #require(try site.database.connection.query("SELECT recipient, subject, body FROM outbox WHERE kind = 'mentor-left'") { ($0.text(0), $0.text(1), $0.text(2)) }.first)
        #expect(mail.0 == "pat@example.org" && mail.1.hasPrefix("Cancelled: Ana Weber has left, "))
        #expect(mail.2.contains("what you paid is refunded in full") && mail.2.hasSuffix("You can book another mentor whenever you like:\nhttp://127.0.0.1:8080/"))
        let provider = TestPaymentProvider(ledgerPath: site.config.testPaymentLedger, now: site.now + 120)
        #expect(try Housekeeping.run(database: site.database, payments: provider, config: site.config, now: site.now + 120) { _ in }.refunded == 1)
        #expect(try site.database.payment(appointmentID: id).map(PaymentSettlement.describe) == "€79.17 refunded")
        // A second import finds nothing left to cancel.
        #expect(try MentorDeparture.cancelSessions(database: site.database, config: site.config, sourcePaths: report.deactivated, now: site.now + 180) == 0)
    }
}
