import Foundation
import MentorCore
import MentorStore

/// Delivers the outbox: each email (RFC 5322) on the standard input of a
/// sendmail-compatible command, each SMS as the text on the standard input of the SMS
/// command with the number as its argument; both started without a shell and with a
/// minimal environment. Each message is claimed in the database before its command runs,
/// so two runs at once never send one message twice. A message is marked sent only after
/// its command exits 0; a failure is retried later with a growing delay, and after
/// `maxAttempts` attempts it is given up, kept in the outbox and reported. A run that dies
/// while its command runs leaves a claim that runs out after ten minutes; the message is
/// then sent again, with the same Message-ID.
public struct MailDelivery {
    public var command: [String]
    public var from: String
    /// The SMS command's words; empty: SMS are not sent (they wait).
    public var smsCommand: [String]
    public var maxAttempts: Int

    public init(command: [String], from: String, smsCommand: [String] = [], maxAttempts: Int = 10) {
        self.command = command
        self.from = from
        self.smsCommand = smsCommand
        self.maxAttempts = maxAttempts
    }

    public struct Report: Equatable, Sendable {
        public var sent = 0
        /// Failed this time, tried again later.
        public var failed = 0
        /// Given up this run: (message id, recipient, the last error).
        public var gaveUp: [(id: Int, recipient: String, error: String)] = []

        public static func == (a: Report, b: Report) -> Bool {
            a.sent == b.sent && a.failed == b.failed && a.gaveUp.map(\.id) == b.gaveUp.map(\.id)
        }
    }

    /// Splits `sendmail -i -t` or `'/path with space/mail' -x` into arguments.
    public static func arguments(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        var started = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                started = true
            } else if character.isWhitespace {
                if started || !current.isEmpty { result.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
            }
        }
        if started || !current.isEmpty { result.append(current) }
        return result
    }

    public func deliver(database: MentorDatabase, now: Int, log: (String) -> Void) throws -> Report {
        var report = Report()
        var skippedSMS = false
        while let queued = try database.claimNextMail(now: now) {
            let failure: String?
            switch queued.mail.channel {
            case .email:
                let message = Self.compose(id: queued.id, from: from, to: queued.mail.recipient, subject: queued.mail.subject,
                                           body: queued.mail.body, date: queued.createdAt)
                failure = run(command, input: message)
            case .sms:
                failure = smsCommand.isEmpty ? "no sms_command is configured" : run(smsCommand + [queued.mail.recipient], input: queued.mail.body)
                if smsCommand.isEmpty { skippedSMS = true }
            }
            switch try database.recordDelivery(of: queued.id, failure: failure, maxAttempts: maxAttempts, now: now) {
            case .sent:
                report.sent += 1
                log("message \(queued.id) to \(queued.mail.recipient): sent")
            case .retry(let delay):
                report.failed += 1
                log("message \(queued.id) to \(queued.mail.recipient): not sent (\(failure ?? "")); will retry in \(delay / 60) min")
            case .gaveUp:
                report.gaveUp.append((queued.id, queued.mail.recipient, failure ?? ""))
            }
        }
        if skippedSMS { log("SMS wait in the outbox: set sms_command in the configuration to send them") }
        return report
    }

    /// Runs `command` with `input` on stdin; nil when it exited 0 having read it all.
    func run(_ command: [String], input message: String) -> String? {
        let result = Command.run(command, input: Data(message.utf8))
        if let failure = result.failure { return failure }
        // Exit 0 without reading the whole message is no delivery either.
        return result.readAll ? nil : "it stopped reading the message"
    }


    /// An RFC 5322 message: ASCII headers (`MailHeaders`: non-ASCII text as RFC 2047
    /// encoded words, folded lines), CRLF line ends, a UTF-8 text body.
    static func compose(id: Int, from: String, to: String, subject: String, body: String, date: String) -> String {
        let host = MailHeaders.split(mailbox: from).1.split(separator: "@").last.map(String.init) ?? "localhost"
        let lines = [
            MailHeaders.mailbox("From", from),
            MailHeaders.mailbox("To", to),
            MailHeaders.unstructured("Subject", subject),
            "Date: \(rfc5322Date(date))",
            "Message-ID: <outbox-\(id)-\(date.filter(\.isNumber))@\(host)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ] + body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `2026-11-26T09:30:00Z` → `Thu, 26 Nov 2026 09:30:00 +0000`.
    static func rfc5322Date(_ timestamp: String) -> String {
        guard let date = CalendarDate(String(timestamp.prefix(10))) else { return timestamp }
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let time = timestamp.dropFirst(11).prefix(8)
        return "\(days[date.weekday.rawValue]), \(date.day) \(months[date.month - 1]) \(date.year) \(time) +0000"
    }
}
