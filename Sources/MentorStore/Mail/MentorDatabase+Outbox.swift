import FoundationEssentials
import MentorCore

/// How a message travels.
public enum MessageChannel: String, Sendable {
    case email, sms
}

/// A message to send, as the booking flow composes it: an email (RFC 5322 headers are
/// added when it is delivered) or an SMS (`subject` unused). Never carries health details.
public struct OutgoingMail: Equatable, Sendable {
    public var kind: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var channel: MessageChannel

    public init(kind: String, recipient: String, subject: String, body: String, channel: MessageChannel = .email) {
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.channel = channel
    }
}

/// A message waiting in the outbox.
public struct QueuedMail: Equatable, Sendable {
    public var id: Int
    public var mail: OutgoingMail
    public var attempts: Int
    /// When it was queued (ISO 8601 UTC), the message's `Date`.
    public var createdAt: String
}

/// A message `mentorsite mail` gave up on: it stays in the outbox until retried.
public struct GivenUpMail: Equatable, Sendable {
    public var id: Int
    public var mail: OutgoingMail
    public var attempts: Int
    public var lastError: String?
    public var gaveUpAt: String
}

/// Messages are written to the `outbox` table in the same transaction as the change they
/// announce, and delivered later by `mentorsite mail`. Each delivery claims its message
/// first (`claimed_until`), so two runs at once never send one message twice; a run that
/// dies leaves a claim that runs out, and the message is tried again.
extension MentorDatabase {
    func enqueue(_ mail: OutgoingMail, appointmentID: String?, now: String) throws {
        try statement("INSERT INTO outbox (created_at, kind, appointment_id, recipient, subject, body, channel) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .run([now, mail.kind, appointmentID, mail.recipient, mail.subject, mail.body, mail.channel.rawValue])
    }

    /// Claims the oldest message due at `now` that nobody else is sending, for `lease`
    /// seconds; nil when none is left.
    public func claimNextMail(now: Int, lease: Int = 600) throws -> QueuedMail? {
        try wrap {
            try connection.writeTransaction { () throws -> QueuedMail? in
                guard let mail = try statement("""
                    SELECT id, kind, recipient, subject, body, attempts, created_at, channel FROM outbox
                    WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?1 AND coalesce(claimed_until, 0) <= ?1
                    ORDER BY next_attempt_at, id LIMIT 1
                    """).map([now], { row in
                    QueuedMail(id: row.int(0), mail: OutgoingMail(kind: row.text(1), recipient: row.text(2), subject: row.text(3), body: row.text(4),
                                                                   channel: MessageChannel(rawValue: row.text(7)) ?? .email),
                               attempts: row.int(5), createdAt: row.text(6))
                }).first else { return nil }
                try statement("UPDATE outbox SET claimed_until = ? WHERE id = ?").run([now + lease, mail.id])
                return mail
            }
        }
    }

    /// Messages not sent yet whose next attempt is due at `now`, oldest first (without
    /// claiming them).
    public func pendingMail(now: Int) throws -> [QueuedMail] {
        try wrap {
            try statement("""
                SELECT id, kind, recipient, subject, body, attempts, created_at, channel FROM outbox
                WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ? ORDER BY id
                """).map([now]) {
                QueuedMail(id: $0.int(0), mail: OutgoingMail(kind: $0.text(1), recipient: $0.text(2), subject: $0.text(3), body: $0.text(4),
                                                             channel: MessageChannel(rawValue: $0.text(7)) ?? .email),
                           attempts: $0.int(5), createdAt: $0.text(6))
            }
        }
    }

    /// What became of one delivery.
    public enum DeliveryOutcome: Equatable, Sendable {
        case sent
        /// Failed; tried again after this many seconds.
        case retry(after: Int)
        /// Failed for the last allowed time: kept, marked given up.
        case gaveUp
    }

    /// Records a delivery: sent, or failed with a message; a failure is retried after a
    /// growing delay (1, 2, 4 … minutes, at most 6 hours) until `maxAttempts` attempts,
    /// then given up (the message stays, with its last error).
    @discardableResult
    public func recordDelivery(of id: Int, failure: String?, maxAttempts: Int = 10, now: Int) throws -> DeliveryOutcome {
        try wrap {
            try connection.writeTransaction { () throws -> DeliveryOutcome in
                guard let failure else {
                    try statement("UPDATE outbox SET attempts = attempts + 1, sent_at = ?, last_error = NULL, claimed_until = NULL WHERE id = ? AND sent_at IS NULL")
                        .run([Timestamp.format(secondsSinceEpoch: now), id])
                    return .sent
                }
                let attempts = (try statement("SELECT attempts FROM outbox WHERE id = ?").map([id], { $0.int(0) }).first ?? 0) + 1
                if attempts >= maxAttempts {
                    try statement("UPDATE outbox SET attempts = ?, last_error = ?, claimed_until = NULL, gave_up_at = ? WHERE id = ?")
                        .run([attempts, failure, Timestamp.format(secondsSinceEpoch: now), id])
                    return .gaveUp
                }
                let delay = min(6 * 3600, 60 << min(attempts - 1, 9))
                try statement("UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ?")
                    .run([attempts, failure, now + delay, id])
                return .retry(after: delay)
            }
        }
    }

    /// Every message given up on, oldest first.
    public func givenUpMail() throws -> [GivenUpMail] {
        try wrap {
            try statement("SELECT id, kind, recipient, subject, body, channel, attempts, last_error, gave_up_at FROM outbox WHERE gave_up_at IS NOT NULL ORDER BY id").map([]) {
                GivenUpMail(id: $0.int(0), mail: OutgoingMail(kind: $0.text(1), recipient: $0.text(2), subject: $0.text(3), body: $0.text(4),
                                                              channel: MessageChannel(rawValue: $0.text(5)) ?? .email),
                            attempts: $0.int(6), lastError: $0.optionalText(7), gaveUpAt: $0.text(8))
            }
        }
    }

    /// Makes messages given up on due again (`mentorsite mail --retry-given-up`), with a
    /// fresh count of attempts. Returns how many.
    @discardableResult
    public func retryGivenUpMail(now: Int) throws -> Int {
        try wrap {
            try connection.writeTransaction {
                try statement("UPDATE outbox SET gave_up_at = NULL, attempts = 0, next_attempt_at = ? WHERE gave_up_at IS NOT NULL AND sent_at IS NULL").run([now])
                return connection.changes
            }
        }
    }
}

extension MentorDatabase {
    /// Messages waiting (not sent, not given up), how many are due, and when the oldest due
    /// one was queued (long ago: `mentorsite mail` is not running).
    public func outboxBacklog(now: Int) throws -> (waiting: Int, due: Int, oldestDue: Int?, givenUp: Int) {
        try wrap {
            let waiting = try connection.scalarInt("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL") ?? 0
            let due = try connection.scalarInt("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?", now) ?? 0
            let oldest = try connection.scalarInt("SELECT min(unixepoch(created_at)) FROM outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?", now)
            let givenUp = try connection.scalarInt("SELECT count(*) FROM outbox WHERE gave_up_at IS NOT NULL AND sent_at IS NULL") ?? 0
            return (waiting, due, oldest, givenUp)
        }
    }

    /// `PRAGMA quick_check`: problems SQLite finds in the file's structure.
    public func quickCheckProblems() throws -> [String] {
        try wrap { try connection.query("PRAGMA quick_check") { $0.text(0) }.filter { $0 != "ok" } }
    }
}
