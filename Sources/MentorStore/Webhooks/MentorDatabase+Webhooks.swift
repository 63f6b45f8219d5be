import MentorCore

/// The events a webhook endpoint hears of.
public enum WebhookEventType: String, Sendable, CaseIterable {
    case bookingCreated = "booking.created"
    case bookingConfirmed = "booking.confirmed"
    case bookingRescheduled = "booking.rescheduled"
    case bookingCancelled = "booking.cancelled"
    case bookingCompleted = "booking.completed"
    case bookingNoShow = "booking.no_show"
    case bookingExpired = "booking.expired"
    case mentorProfileUpdated = "mentor.profile_updated"

    /// The events of one status change in an appointment's history. A booking made
    /// scheduled at once (a signed-in patient) is both created and confirmed.
    static func types(from: AppointmentStatus?, to: AppointmentStatus) -> [WebhookEventType] {
        switch (from, to) {
        case (nil, .scheduled): [.bookingCreated, .bookingConfirmed]
        case (nil, _): [.bookingCreated]
        case (_, .scheduled): [.bookingConfirmed]
        case (_, .rescheduled): [.bookingRescheduled]
        case (_, .cancelled): [.bookingCancelled]
        case (_, .completed): [.bookingCompleted]
        case (_, .noShow): [.bookingNoShow]
        case (_, .expired): [.bookingExpired]
        case (_, .pending): []
        }
    }
}

/// One delivery of one event to one endpoint, claimed for sending.
public struct WebhookDelivery: Sendable, Equatable {
    public var eventID: String
    public var type: String
    public var payload: String
    public var endpoint: String
    /// Attempts made before this one.
    public var attempts: Int
    public var createdAt: Int
}

/// How one attempt went.
public enum WebhookAttempt: Sendable, Equatable {
    /// A 2xx answer.
    case delivered(status: Int)
    /// Anything else but 410: tried again at `retryAt`, or given up when that is nil.
    case failed(status: Int?, error: String, retryAt: Int?)
    /// 410 Gone: the endpoint is disabled, with every delivery still waiting for it.
    case gone
}

/// A row of `mentorsite webhooks --list`.
public struct WebhookDeliveryListing: Sendable, Equatable {
    public var eventID: String
    public var type: String
    public var endpoint: String
    public var status: String
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Int
    public var nextAttemptAt: Int
}

extension MentorDatabase {
    /// Queues `type` for an appointment: the payload says what happened to which session of
    /// which mentor, when, as what kind of session, and who cancelled; never the patient,
    /// their notes or the topic (a health detail). Inside the caller's transaction.
    func queueAppointmentWebhook(_ type: WebhookEventType, appointmentID: String, stamp: String) throws {
        guard !webhookEndpoints.isEmpty else { return }
        try queueWebhook(type, stamp: stamp, data: """
            SELECT json_object('appointment_id', a.id, 'mentor', p.slug, 'status', a.status, 'session_type', a.appointment_type,
                'start', strftime('%Y-%m-%dT%H:%M:%SZ', a.starts_at, 'unixepoch'), 'end', strftime('%Y-%m-%dT%H:%M:%SZ', a.ends_at, 'unixepoch'),
                'mentor_timezone', a.mentor_timezone, 'local_date', a.local_date, 'local_start', a.local_start, 'cancelled_by', a.cancelled_by)
            FROM appointments a JOIN mood_mentor_profiles p ON p.id = a.mentor_id WHERE a.id = ?
            """, appointmentID)
    }

    /// Queues `mentor.profile_updated`: the mentor and the names of the fields changed.
    func queueProfileWebhook(mentorID: String, fields: String, stamp: String) throws {
        guard !webhookEndpoints.isEmpty else { return }
        try queueWebhook(.mentorProfileUpdated, stamp: stamp, data: """
            SELECT json_object('mentor', slug, 'name', name, 'fields', json(?)) FROM mood_mentor_profiles WHERE id = ?
            """, fields, mentorID)
    }

    /// One event (`{"type", "timestamp", "data"}`, data from the query `data`) and one
    /// pending delivery per endpoint not disabled.
    private func queueWebhook(_ type: WebhookEventType, stamp: String, data: String, _ parameters: any SQLBindable...) throws {
        guard let object = try statement(data).map(parameters, { $0.text(0) }).first else { return }
        let now = try statement("SELECT unixepoch(?)").map([stamp]) { $0.int(0) }.first ?? 0
        let id = try statement("SELECT 'msg_' || lower(hex(randomblob(16)))").map { $0.text(0) }[0]
        try statement("INSERT INTO webhook_events (id, type, payload, created_at) VALUES (?, ?, json_object('type', ?, 'timestamp', ?, 'data', json(?)), ?)")
            .run([id, type.rawValue, type.rawValue, stamp, object, now])
        for endpoint in webhookEndpoints {
            try statement("""
                INSERT INTO webhook_deliveries (event_id, endpoint, status, next_attempt_at)
                SELECT ?, ?, 'pending', ? WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = ? AND disabled_at IS NOT NULL)
                """).run([id, endpoint, now, endpoint])
        }
    }

    /// Claims up to `limit` due deliveries for `claimSeconds` (a run that dies leaves them to
    /// be claimed again after that), oldest first.
    public func claimDueWebhooks(now: Int, limit: Int = 100, claimSeconds: Int = 120) throws -> [WebhookDelivery] {
        try wrap {
            try connection.writeTransaction {
                let due = try connection.query("""
                    SELECT d.event_id, e.type, e.payload, d.endpoint, d.attempts, e.created_at
                    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                    WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.claimed_until IS NULL OR d.claimed_until <= ?)
                    ORDER BY e.created_at, d.event_id, d.endpoint LIMIT ?
                    """, [now, now, limit]) {
                    WebhookDelivery(eventID: $0.text(0), type: $0.text(1), payload: $0.text(2), endpoint: $0.text(3), attempts: $0.int(4), createdAt: $0.int(5))
                }
                for delivery in due {
                    try connection.run("UPDATE webhook_deliveries SET claimed_until = ? WHERE event_id = ? AND endpoint = ?",
                                       now + claimSeconds, delivery.eventID, delivery.endpoint)
                }
                return due
            }
        }
    }

    /// Records one attempt of a claimed delivery.
    public func recordWebhookAttempt(_ delivery: WebhookDelivery, _ attempt: WebhookAttempt, now: Int) throws {
        try wrap {
            try connection.writeTransaction {
                let key: [any SQLBindable] = [delivery.eventID, delivery.endpoint]
                switch attempt {
                case .delivered(let status):
                    try connection.prepare("""
                        UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL,
                            claimed_until = NULL, finished_at = ? WHERE event_id = ? AND endpoint = ?
                        """).run([status, now] + key)
                case .failed(let status, let error, let retryAt):
                    try connection.prepare("""
                        UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
                            next_attempt_at = coalesce(?, next_attempt_at), claimed_until = NULL, finished_at = ?
                        WHERE event_id = ? AND endpoint = ?
                        """).run([retryAt == nil ? "gave_up" : "pending", status, String(error.prefix(300)), retryAt, retryAt == nil ? now : nil] + key)
                case .gone:
                    try connection.run("INSERT INTO webhook_endpoints (url, disabled_at, reason) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, reason = excluded.reason",
                                       delivery.endpoint, now, "410 Gone for \(delivery.eventID)")
                    try connection.run("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = 410 WHERE event_id = ? AND endpoint = ?",
                                       delivery.eventID, delivery.endpoint)
                    try connection.run("""
                        UPDATE webhook_deliveries SET status = 'disabled', claimed_until = NULL, finished_at = ?
                        WHERE endpoint = ? AND status = 'pending'
                        """, now, delivery.endpoint)
                }
            }
        }
    }

    /// Endpoints disabled by a 410 answer: url, when, why.
    public func disabledWebhookEndpoints() throws -> [(url: String, at: Int, reason: String)] {
        try wrap {
            try connection.query("SELECT url, disabled_at, coalesce(reason, '') FROM webhook_endpoints WHERE disabled_at IS NOT NULL ORDER BY url") {
                (url: $0.text(0), at: $0.int(1), reason: $0.text(2))
            }
        }
    }

    /// Enables an endpoint again (its deliveries disabled meanwhile stay as they are).
    public func enableWebhookEndpoint(_ url: String) throws -> Bool {
        try wrap {
            try connection.run("UPDATE webhook_endpoints SET disabled_at = NULL, reason = NULL WHERE url = ? AND disabled_at IS NOT NULL", url)
            return connection.changes > 0
        }
    }

    /// The newest deliveries with their status.
    public func webhookDeliveries(limit: Int = 50) throws -> [WebhookDeliveryListing] {
        try wrap {
            try connection.query("""
                SELECT d.event_id, e.type, d.endpoint, d.status, d.attempts, d.last_status, d.last_error, e.created_at, d.next_attempt_at
                FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                ORDER BY e.created_at DESC, d.event_id DESC, d.endpoint LIMIT ?
                """, [limit]) {
                WebhookDeliveryListing(eventID: $0.text(0), type: $0.text(1), endpoint: $0.text(2), status: $0.text(3), attempts: $0.int(4),
                                       lastStatus: $0.optionalInt(5), lastError: $0.optionalText(6), createdAt: $0.int(7), nextAttemptAt: $0.int(8))
            }
        }
    }

    /// Counts of deliveries by status (`mentorsite doctor` and the run's summary).
    public func webhookBacklog(now: Int) throws -> (pending: Int, due: Int, gaveUp: Int) {
        try wrap {
            let pending = try connection.scalarInt("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'") ?? 0
            let due = try connection.scalarInt("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?", now) ?? 0
            let gaveUp = try connection.scalarInt("SELECT count(*) FROM webhook_deliveries WHERE status = 'gave_up'") ?? 0
            return (pending, due, gaveUp)
        }
    }

    /// Removes events older than `days` whose deliveries are all finished.
    public func pruneWebhookEvents(olderThanDays days: Int, now: Int) throws -> Int {
        try wrap {
            try connection.writeTransaction {
                try connection.run("""
                    DELETE FROM webhook_events WHERE created_at < ?
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id AND d.status = 'pending')
                    """, now - days * 86_400)
                return connection.changes
            }
        }
    }
}
