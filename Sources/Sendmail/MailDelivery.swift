import Foundation
import MentorCore
import MentorStore

/// Delivers the outbox: each message (RFC 5322) on the standard input of a
/// sendmail-compatible command, started without a shell and with a minimal environment.
/// A message is marked sent only after the command exits 0; failures are retried later with
/// a growing delay, so nothing is lost (a crash between sending and marking sends it twice).
public struct MailDelivery {
    public var command: [String]
    public var from: String

    public init(command: [String], from: String) {
        self.command = command
        self.from = from
    }

    public struct Report: Equatable, Sendable {
        public var sent = 0
        public var failed = 0
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
        for queued in try database.pendingMail(now: now) {
            let message = Self.compose(id: queued.id, from: from, to: queued.mail.recipient, subject: queued.mail.subject,
                                       body: queued.mail.body, date: queued.createdAt)
            let failure = run(message)
            try database.recordDelivery(of: queued.id, failure: failure, retryAfter: min(6 * 3600, 60 << min(queued.attempts, 8)), now: now)
            if let failure {
                report.failed += 1
                log("message \(queued.id) to \(queued.mail.recipient): not sent (\(failure)); will retry")
            } else {
                report.sent += 1
                log("message \(queued.id) to \(queued.mail.recipient): sent")
            }
        }
        return report
    }

    /// Runs the command with the message on stdin; nil when it exited 0.
    func run(_ message: String) -> String? {
        guard let program = command.first, let executable = Self.resolve(program) else {
            return "cannot find \(command.first ?? "the mail command")"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return "cannot start \(executable): \(error.localizedDescription)"
        }
        input.fileHandleForWriting.write(Data(message.utf8))
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = String(decoding: stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return "exit \(process.terminationStatus)" + (detail.isEmpty ? "" : ": " + detail)
        }
        return nil
    }

    static func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for folder in ["/usr/sbin", "/usr/bin", "/bin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: folder + "/" + program) {
            return folder + "/" + program
        }
        return nil
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
