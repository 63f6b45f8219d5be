import FoundationEssentials
import MentorCore

/// An email to send, as the booking flow composes it (RFC 5322 headers are added when it is
/// delivered). Never carries health details.
public struct OutgoingMail: Equatable, Sendable {
    public var kind: String
    public var recipient: String
    public var subject: String
    public var body: String

    public init(kind: String, recipient: String, subject: String, body: String) {
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
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

/// Mail is written to the `outbox` table in the same transaction as the change it
/// announces, and delivered later by `mentorsite mail`.
extension MentorDatabase {
    func enqueue(_ mail: OutgoingMail, appointmentID: String?, now: String) throws {
        try statement("INSERT INTO outbox (created_at, kind, appointment_id, recipient, subject, body) VALUES (?, ?, ?, ?, ?, ?)")
            .run([now, mail.kind, appointmentID, mail.recipient, mail.subject, mail.body])
    }

    /// Messages not sent yet whose next attempt is due at `now`, oldest first.
    public func pendingMail(now: Int) throws -> [QueuedMail] {
        try wrap {
            try statement("""
                SELECT id, kind, recipient, subject, body, attempts, created_at FROM outbox
                WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id
                """).map([now]) {
                QueuedMail(id: $0.int(0), mail: OutgoingMail(kind: $0.text(1), recipient: $0.text(2), subject: $0.text(3), body: $0.text(4)),
                           attempts: $0.int(5), createdAt: $0.text(6))
            }
        }
    }

    /// Records a delivery: sent, or failed with a message and retried after `retryAfter`
    /// seconds.
    public func recordDelivery(of id: Int, failure: String?, retryAfter: Int, now: Int) throws {
        try wrap {
            try connection.writeTransaction {
                if let failure {
                    try statement("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?").run([failure, now + retryAfter, id])
                } else {
                    try statement("UPDATE outbox SET attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ? AND sent_at IS NULL")
                        .run([Timestamp.format(secondsSinceEpoch: now), id])
                }
            }
        }
    }
}
