import MentorCore
import MentorStore

/// The booking work that time alone makes due, run by `mentorsite mail` before it delivers
/// the outbox (so one cron line keeps both going): holds whose time ran out unconfirmed are
/// marked expired, and authorisations whose booking did not happen are voided with the
/// payment provider (hold expired, session cancelled, or a process that died between the
/// provider's answer and the booking).
public enum Housekeeping {
    public struct Report: Equatable, Sendable {
        public var expiredHolds = 0
        public var voided = 0
        public var voidFailures = 0
    }

    public static func run(database: MentorDatabase, payments: any PaymentProvider, now: Int, log: (String) -> Void) throws -> Report {
        var report = Report()
        report.expiredHolds = try database.expireHolds(now: now).count
        var toVoid = try database.authorizationsToVoid(now: now).compactMap { record in
            record.reference.map { ($0, record.appointmentID == nil ? "no booking was made" : "booking did not take place") }
        }
        // A process that died between the provider's answer and recording it left a claim:
        // the provider says what became of the form, and an authorisation is released.
        for claim in try database.staleClaims(now: now) {
            do {
                if let reference = try payments.authorization(idempotencyKey: claim.idempotencyKey) {
                    try database.recordAuthorization(idempotencyKey: claim.idempotencyKey, result: .authorized(reference: reference), now: now)
                    toVoid.append((reference, "no booking was made"))
                } else {
                    try database.recordAuthorization(idempotencyKey: claim.idempotencyKey, result: .declined(message: "abandoned before the provider answered"), now: now)
                }
            } catch let error as PaymentProviderError {
                log("payment form \(claim.idempotencyKey): provider not reachable (\(error.message)); will retry")
            }
        }
        for (reference, reason) in toVoid {
            do {
                try payments.void(reference: reference, reason: reason)
                try database.recordVoid(reference: reference, reason: reason, now: now)
                report.voided += 1
                log("payment \(reference): voided (\(reason))")
            } catch let error as PaymentProviderError {
                try database.recordVoidFailure(reference: reference, message: error.message, now: now)
                report.voidFailures += 1
                log("payment \(reference): not voided (\(error.message)); will retry")
            }
        }
        return report
    }
}
