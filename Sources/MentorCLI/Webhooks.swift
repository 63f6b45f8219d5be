import Foundation
import MentorCore
import MentorStore
import Sendmail

/// `mentorsite webhooks`: delivers queued webhook events; `--list` shows the deliveries.
public enum WebhooksCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, list: Bool, enable: String?, quiet: Bool) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let database = try MentorDatabase(path: config.database, create: false)
        let now = try context.now()
        if let enable {
            context.say(try database.enableWebhookEndpoint(enable) ? "\(enable): enabled again" : "\(enable): was not disabled")
            return 0
        }
        if list {
            context.say(listing(try database.webhookDeliveries(), disabled: try database.disabledWebhookEndpoints()))
            return 0
        }
        let backlog = try database.webhookBacklog(now: now)
        if config.webhookURLs.isEmpty && backlog.pending == 0 {
            if !quiet { context.say("no webhook_url in the configuration: nothing to deliver") }
            return 0
        }
        let sender = WebhookSender(key: try WebhookSender.key(secretFile: config.webhookSecretFile), timeoutSeconds: config.webhookTimeoutSeconds,
                                   giveUpSeconds: config.webhookGiveUpHours * 3600)
        let report = try sender.deliver(database: database, now: now, log: quiet ? { _ in } : context.say)
        _ = try database.pruneWebhookEvents(olderThanDays: 30, now: now)
        for endpoint in report.disabled {
            context.warn("error: \(endpoint) answered 410 Gone and is disabled; remove it from webhook_url, or `mentorsite webhooks --enable \(endpoint)`")
        }
        if report.gaveUp > 0 {
            context.warn("error: \(report.gaveUp) deliveries given up after \(config.webhookGiveUpHours) hours (`mentorsite webhooks --list`)")
        }
        if !quiet {
            context.say("\(report.delivered) delivered, \(report.failed) failed and will be retried, \(report.gaveUp) given up, \(report.disabled.count) endpoints disabled")
        }
        return report.gaveUp > 0 || !report.disabled.isEmpty ? 3 : report.failed > 0 ? 2 : 0
    }

    static func listing(_ rows: [WebhookDeliveryListing], disabled: [(url: String, at: Int, reason: String)]) -> String {
        var lines = ["event\ttype\tendpoint\tstatus\tattempts\tlast answer\tqueued (UTC)"]
        for row in rows {
            let answer = row.lastStatus.map { String($0) } ?? row.lastError ?? "-"
            lines.append([row.eventID, row.type, row.endpoint, row.status, String(row.attempts), answer,
                          Timestamp.format(secondsSinceEpoch: row.createdAt)].joined(separator: "\t"))
        }
        for endpoint in disabled {
            lines.append("disabled: \(endpoint.url) since \(Timestamp.format(secondsSinceEpoch: endpoint.at)) (\(endpoint.reason))")
        }
        return lines.joined(separator: "\n")
    }
}
