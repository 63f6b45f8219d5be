import MentorCore
import MentorStore
import Booking
import Sendmail

/// `mentorsite mail`: the booking work that time makes due (`Housekeeping`), then the
/// outbox, each message on the standard input of a sendmail-compatible command.
public enum MailCommand {
    /// The exit status: 2 when a message could not be sent (it is retried next time).
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, sendmail: String, from: String) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let arguments = MailDelivery.arguments(sendmail)
        guard !arguments.isEmpty else { throw CommandError("--sendmail needs a command") }
        let database = try MentorDatabase(path: config.database, create: false)
        let now = try context.now()
        let chores = try Housekeeping.run(database: database, payments: TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: now),
                                          now: now, log: context.say)
        if chores.expiredHolds > 0 || chores.voided > 0 || chores.voidFailures > 0 {
            context.say("\(chores.expiredHolds) holds expired, \(chores.voided) payments voided, \(chores.voidFailures) not voided")
        }
        let report = try MailDelivery(command: arguments, from: from).deliver(database: database, now: now, log: context.say)
        context.say("\(report.sent) sent, \(report.failed) failed")
        return report.failed > 0 ? 2 : 0
    }
}
