import MentorCore
import MentorStore
import Booking
import Sendmail

/// `mentorsite mail`: the booking work that time makes due (`Housekeeping`), then the
/// outbox, each message on the standard input of a sendmail-compatible command.
public enum MailCommand {
    /// The exit status: 3 when a message was given up on in this run (a line each), else 2
    /// when one could not be sent (it is retried next time), else 0.
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, sendmail: String, from: String,
                           retryGivenUp: Bool = false, quiet: Bool = false) throws -> Int32 {
        var context = context
        if quiet { context.say = { _ in } }
        let config = try context.configuration(flag: flag, flags: flags)
        let arguments = MailDelivery.arguments(sendmail)
        guard !arguments.isEmpty else { throw CommandError("--sendmail needs a command") }
        let database = try MentorDatabase(path: config.database, create: false)
        database.webhookEndpoints = config.webhookURLs
        let now = try context.now()
        if retryGivenUp {
            context.say("\(try database.retryGivenUpMail(now: now)) messages given up on are due again")
        }
        let chores = try Housekeeping.run(database: database, payments: TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: now),
                                          config: config, now: now, log: context.say)
        if !chores.isEmpty { context.say(chores.summary) }
        let delivery = MailDelivery(command: arguments, from: from, smsCommand: MailDelivery.arguments(config.smsCommand),
                                    maxAttempts: config.mailMaxAttempts)
        let report = try delivery.deliver(database: database, now: now, log: context.say)
        for failure in report.gaveUp {
            context.warn("error: message \(failure.id) to \(failure.recipient): given up after \(config.mailMaxAttempts) attempts (\(failure.error)); it stays in the outbox: `mentorsite mail --retry-given-up` tries it again")
        }
        context.say("\(report.sent) sent, \(report.failed) failed and will be retried, \(report.gaveUp.count) given up")
        return !report.gaveUp.isEmpty ? 3 : report.failed > 0 ? 2 : 0
    }
}
