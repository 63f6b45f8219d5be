import MentorCore
import MentorStore

/// The booking work that time alone makes due, run by `mentorsite mail` before it delivers
/// the outbox (so one cron line keeps it all going): holds whose time ran out unconfirmed
/// are marked expired; claims of processes that died before recording the provider's
/// answer are settled by asking the provider; payments are made to match their sessions
/// (`PaymentSettlement`); and reminders that are due are queued (`ReminderMails`).
public enum Housekeeping {
    public struct Report: Equatable, Sendable {
        public var expiredHolds = 0
        public var captured = 0
        public var released = 0
        public var refunded = 0
        public var settlementFailures = 0
        public var reminders = 0
        public var patientsErased = 0

        public var isEmpty: Bool { self == Report() }

        public var summary: String {
            "\(expiredHolds) holds expired; payments: \(captured) captured, \(released) released, \(refunded) refunded, "
                + "\(settlementFailures) not settled; \(reminders) reminders queued"
                + (patientsErased > 0 ? "; \(patientsErased) patients erased (patient_retention_days)" : "")
        }
    }

    public static func run(database: MentorDatabase, payments: any PaymentProvider, config: SiteConfig, now: Int, log: (String) -> Void) throws -> Report {
        var report = Report()
        report.expiredHolds = try database.expireHolds(now: now).count
        // A process that died between the provider's answer and recording it left a claim:
        // the provider says what became of the form, and an authorisation is released.
        for claim in try database.staleClaims(now: now) {
            do {
                if let reference = try payments.authorization(idempotencyKey: claim.idempotencyKey) {
                    try database.recordAuthorization(idempotencyKey: claim.idempotencyKey, result: .authorized(reference: reference), now: now)
                    try payments.void(reference: reference, reason: "no booking was made")
                    try database.recordVoid(reference: reference, reason: "no booking was made", now: now)
                    report.released += 1
                    log("payment \(reference): voided (no booking was made)")
                } else {
                    try database.recordAuthorization(idempotencyKey: claim.idempotencyKey, result: .declined(message: "abandoned before the provider answered"), now: now)
                }
            } catch let error as PaymentProviderError {
                log("payment form \(claim.idempotencyKey): provider not reachable (\(error.message)); will retry")
            }
        }
        let settled = try PaymentSettlement(database: database, provider: payments, now: now).run(log: log)
        report.captured = settled.captured
        report.released += settled.released
        report.refunded = settled.refunded
        report.settlementFailures = settled.failures
        report.reminders = try ReminderMails(pages: BookingPages(config: config), smsEnabled: !config.smsCommand.isEmpty)
            .queueDue(database: database, offsets: config.reminderMinutes, now: now)
        if let days = config.patientRetentionDays {
            report.patientsErased = try database.erasePatientsPastRetention(days: days, actor: "retention (\(days) days)", now: now)
        }
        return report
    }
}
