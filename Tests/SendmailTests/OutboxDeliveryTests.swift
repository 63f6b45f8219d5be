import Foundation
import MentorCore
@testable import MentorStore
import Testing
@testable import Sendmail

/// The outbox through real commands: each message is claimed before its command runs, so
/// runs at once never send one twice; failures are retried with a growing delay and given
/// up after the configured attempts, kept and reported.
@Suite struct OutboxDeliveryTests {
    final class Site {
        let folder = NSTemporaryDirectory() + "outbox-" + UUID().uuidString
        var database: MentorDatabase!
        var sink: String { folder + "/sink" }

        init(messages: Int) throws {
            try FileManager.default.createDirectory(atPath: folder + "/sink", withIntermediateDirectories: true)
            database = try MentorDatabase(path: folder + "/site.sqlite", create: true)
            try database.connection.writeTransaction {
                for index in 0..<messages {
                    try database.enqueue(OutgoingMail(kind: "booked", recipient: "p\(index)@example.org", subject: "Booked \(index)", body: "Hello \(index)"),
                                         appointmentID: nil, now: "2026-12-01T01:00:00Z")
                }
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        /// A sendmail stand-in that keeps each message in a file of its own.
        func sinkCommand() throws -> [String] {
            let script = folder + "/sendmail"
            try "#!/bin/sh\nf=$(mktemp \(sink)/m.XXXXXX) && cat > \"$f\"\n".write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
            return [script]
        }

        func delivered() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: sink).map { try String(contentsOfFile: sink + "/" + $0, encoding: .utf8) }
        }
    }

    @Test func runsAtOnceSendEachMessageOnce() throws {
        let site = try Site(messages: 30)
        let command = try site.sinkCommand()
        let path = site.folder + "/site.sqlite"
        let group = DispatchGroup()
        for _ in 0..<3 {
            group.enter()
            Thread {
                let database = try! MentorDatabase(path: path, create: false)
                _ = try! MailDelivery(command: command, from: "Mood Mentors <bookings@example.org>").deliver(database: database, now: 1_796_087_100) { _ in }
                group.leave()
            }.start()
        }
        group.wait()
        let messages = try site.delivered()
        #expect(messages.count == 30)
        let ids = messages.compactMap { $0.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: <outbox-") } }
        #expect(Set(ids).count == 30)
        #expect(try site.database.pendingMail(now: 1_796_087_100).isEmpty)
    }

    @Test func aClaimHoldsOthersOffUntilItRunsOut() throws {
        let site = try Site(messages: 1)
        let claimed = try #require(try site.database.claimNextMail(now: 1000))
        #expect(try site.database.claimNextMail(now: 1599) == nil)
        // The run that claimed it died: after ten minutes another run takes it over.
        #expect(try site.database.claimNextMail(now: 1600)?.id == claimed.id)
    }

    @Test func failuresAreRetriedLaterAndGivenUpAfterTheLastAttemptKeepingTheMessage() throws {
        let site = try Site(messages: 1)
        let delivery = MailDelivery(command: ["/bin/false"], from: "bookings@example.org", maxAttempts: 3)
        var now = 1_796_087_100
        var report = try delivery.deliver(database: site.database, now: now) { _ in }
        #expect(report.failed == 1 && report.gaveUp.isEmpty)
        // Not due again before its delay (1 minute, then 2).
        #expect(try delivery.deliver(database: site.database, now: now + 59) { _ in } == MailDelivery.Report())
        now += 60
        report = try delivery.deliver(database: site.database, now: now) { _ in }
        #expect(report.failed == 1)
        now += 120
        report = try delivery.deliver(database: site.database, now: now) { _ in }
        #expect(report.failed == 0 && report.gaveUp.map(\.recipient) == ["p0@example.org"] && report.gaveUp[0].error == "exit 1")
        let given = try site.database.givenUpMail()
        #expect(given.count == 1 && given[0].attempts == 3 && given[0].lastError == "exit 1" && given[0].mail.subject == "Booked 0")
        // Never tried again by itself …
        #expect(try delivery.deliver(database: site.database, now: now + 86_400) { _ in } == MailDelivery.Report())
        // … until the operator asks.
        #expect(try site.database.retryGivenUpMail(now: now + 86_400) == 1)
        let working = MailDelivery(command: try site.sinkCommand(), from: "bookings@example.org", maxAttempts: 3)
        #expect(try working.deliver(database: site.database, now: now + 86_400) { _ in }.sent == 1)
        #expect(try site.delivered().count == 1)
    }

    @Test func anSMSGoesToTheSMSCommandWithTheNumberAndTheText() throws {
        let site = try Site(messages: 0)
        try site.database.connection.writeTransaction {
            try site.database.enqueue(OutgoingMail(kind: "reminder-sms", recipient: "+49 30 1234567", subject: "-", body: "Your session starts in 1 hour.", channel: .sms),
                                      appointmentID: nil, now: "2026-12-01T01:00:00Z")
        }
        let script = site.folder + "/sms"
        try "#!/bin/sh\nprintf '%s\\n' \"$1\" > \(site.sink)/number && cat > \(site.sink)/text\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let report = try MailDelivery(command: ["/bin/false"], from: "bookings@example.org", smsCommand: [script]).deliver(database: site.database, now: 1_796_087_100) { _ in }
        #expect(report.sent == 1)
        #expect(try String(contentsOfFile: site.sink + "/number", encoding: .utf8) == "+49 30 1234567\n")
        #expect(try String(contentsOfFile: site.sink + "/text", encoding: .utf8) == "Your session starts in 1 hour.")
    }
}
