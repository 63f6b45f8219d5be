import MentorCore
import MentorStore

/// Makes payments match their sessions with the provider: a booked session's authorisation
/// is captured; one that will not take place is released (voided, or captured for the
/// late-cancellation fee only); a captured session that was cancelled is refunded but for
/// the fee. The fee (`keep_minor`) is decided when the session is cancelled (`fee(for:)`).
/// The CGI settles a session at once after booking, confirming or cancelling it;
/// `mentorsite mail` settles whatever is left (a provider that was down, a process that
/// died). Each step is recorded after the provider answers, so a retry never takes twice.
public struct PaymentSettlement {
    let database: MentorDatabase
    let provider: any PaymentProvider
    let now: Int

    struct Report: Equatable, Sendable {
        var captured = 0
        var released = 0
        var refunded = 0
        var failures = 0
        var isEmpty: Bool { captured + released + refunded + failures == 0 }
    }

    /// What a cancellation keeps of a session's price: the late fee when the patient
    /// cancels inside the window (only the operator can, on their behalf), else nothing.
    static func fee(for appointment: Appointment, by canceller: Canceller, window: Int, feePercent: Int, now: Int) -> Int {
        guard canceller == .patient, appointment.start - now < window, let price = appointment.priceMinor else { return 0 }
        return price * feePercent / 100
    }

    /// What a cancellation does to a session's payment, in a sentence for the patient; nil
    /// when nothing was paid.
    static func cancellationNote(_ record: PaymentRecord?, keepMinor: Int) -> String? {
        guard let record, [.authorized, .captured].contains(record.status) else { return nil }
        guard keepMinor > 0 else { return "You are not charged for it: what you paid is refunded in full" }
        let fee = Money(minorUnits: keepMinor, currency: record.currency).formatted
        return keepMinor >= record.amountMinor ? "As it was cancelled inside the cancellation window, the price of \(fee) is not refunded"
            : "As it was cancelled inside the cancellation window, a fee of \(fee) is charged and the rest of what you paid is refunded"
    }

    /// Settles every payment that needs it, or only those of one appointment.
    @discardableResult
    func run(appointmentID: String? = nil, log: (String) -> Void = { _ in }) throws -> Report {
        var report = Report()
        for (record, settlement) in try database.paymentsToSettle(now: now, appointmentID: appointmentID) {
            guard let reference = record.reference else { continue }
            do {
                switch settlement {
                case .capture(let amount):
                    try provider.capture(reference: reference, amountMinor: amount)
                    try database.recordCapture(reference: reference, amountMinor: amount, now: now)
                    report.captured += 1
                    log("payment \(reference): captured \(Money(minorUnits: amount, currency: record.currency).formatted)")
                case .release(let keep) where keep > 0:
                    try provider.capture(reference: reference, amountMinor: keep)
                    try database.recordCapture(reference: reference, amountMinor: keep, now: now)
                    report.released += 1
                    log("payment \(reference): late-cancellation fee \(Money(minorUnits: keep, currency: record.currency).formatted) taken, the rest released")
                case .release:
                    let reason = record.appointmentID == nil ? "no booking was made" : "booking did not take place"
                    try provider.void(reference: reference, reason: reason)
                    try database.recordVoid(reference: reference, reason: reason, now: now)
                    report.released += 1
                    log("payment \(reference): voided (\(reason))")
                case .refund(let amount):
                    try provider.refund(reference: reference, amountMinor: amount, reason: "session cancelled")
                    try database.recordRefund(reference: reference, amountMinor: amount, reason: "session cancelled", now: now)
                    report.refunded += 1
                    log("payment \(reference): refunded \(Money(minorUnits: amount, currency: record.currency).formatted)")
                }
            } catch let error as PaymentProviderError {
                try database.recordSettlementFailure(reference: reference, message: error.message, now: now)
                report.failures += 1
                log("payment \(reference): not settled (\(error.message)); will retry")
            }
        }
        return report
    }

    /// How a payment stands, for the patient and the operator.
    public static func describe(_ record: PaymentRecord) -> String {
        func money(_ minor: Int) -> String { Money(minorUnits: minor, currency: record.currency).formatted }
        switch record.status {
        case .authorizing: return "being authorised"
        case .declined: return "declined"
        case .authorized: return "\(money(record.amountMinor)) authorised"
        case .voided: return "released, nothing charged"
        case .captured:
            return record.capturedMinor < record.amountMinor ? "\(money(record.capturedMinor)) late-cancellation fee charged" : "\(money(record.capturedMinor)) paid"
        case .refunded:
            return record.refundedMinor >= record.capturedMinor ? "\(money(record.refundedMinor)) refunded"
                : "\(money(record.refundedMinor)) of \(money(record.capturedMinor)) refunded"
        }
    }
}
