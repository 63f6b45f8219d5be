import MentorCore
/// Where a payment stands. An authorisation is captured once its session is booked, and
/// voided when its booking does not happen (slot taken, mentor unavailable, hold expired
/// unconfirmed, session cancelled before the capture). A captured payment of a cancelled
/// session is refunded, in full or but for the late-cancellation fee.
public enum PaymentStatus: String, Sendable, CaseIterable {
    /// A process claimed the form's idempotency key and is asking the provider now.
    case authorizing
    case declined
    case authorized
    case voided
    case captured
    case refunded
}

/// A payment as stored: one per booking form (its idempotency key).
public struct PaymentRecord: Equatable, Sendable {
    public var idempotencyKey: String
    public var appointmentID: String?
    public var provider: String
    public var reference: String?
    public var amountMinor: Int
    public var currency: String
    public var status: PaymentStatus
    public var detail: String?
    /// What was taken from the card (the whole amount, or a late-cancellation fee).
    public var capturedMinor = 0
    public var refundedMinor = 0
    /// What the payment keeps after a cancellation (decided then, by the policy); nil
    /// while the session is not cancelled.
    public var keepMinor: Int?

    /// What the patient paid in the end, once settled.
    public var netMinor: Int { capturedMinor - refundedMinor }
}

/// What claiming a payment form's idempotency key found.
public enum PaymentClaim: Equatable, Sendable {
    /// This caller asks the provider; nobody else will for this key until it records the answer.
    case claimed
    /// Another request holds the claim and is asking the provider right now.
    case inProgress
    /// An authorisation already exists for this key (booked, or not yet).
    case authorized(PaymentRecord)
    /// An hourly limit is reached: retry after this many seconds. Nothing was written.
    case limited(retryAfter: Int)
}

extension MentorDatabase {
    /// Claims a payment form before its provider is called, in one `BEGIN IMMEDIATE`
    /// transaction, so that concurrent submits of one form authorise once. A claim counts
    /// one attempt against each of `limits` (key, attempts per `window` seconds); past any
    /// of them nothing is written. A declined or voided earlier try of the same form, or a
    /// claim older than `claimSeconds` (its process died), may be claimed again.
    public func claimPayment(idempotencyKey: String, provider: String, amountMinor: Int, currency: String, now: Int,
                             limits: [(key: String, limit: Int)], window: Int = 3600, claimSeconds: Int = 120) throws -> PaymentClaim {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        return try wrap {
            try connection.writeTransaction { () throws -> PaymentClaim in
                let existing = try payment(idempotencyKey: idempotencyKey)
                if let existing {
                    switch existing.status {
                    case .authorized, .captured, .refunded: return .authorized(existing)
                    case .authorizing:
                        let until = try connection.scalarInt("SELECT claimed_until FROM payments WHERE idempotency_key = ?", idempotencyKey) ?? 0
                        if until > now { return .inProgress }
                    case .declined, .voided: break
                    }
                }
                let windowStart = now - now % window
                for (key, limit) in limits {
                    let count = try connection.scalarInt("SELECT count FROM rate_limits WHERE key = ? AND window_start = ?", key, windowStart) ?? 0
                    if count >= limit { return .limited(retryAfter: windowStart + window - now) }
                }
                for (key, _) in limits { try countAttempt(key, windowStart: windowStart, window: window) }
                if existing == nil {
                    try statement("""
                        INSERT INTO payments (idempotency_key, provider, amount_minor, currency, status, claimed_until, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 'authorizing', ?, ?, ?)
                        """).run([idempotencyKey, provider, amountMinor, currency, now + claimSeconds, stamp, stamp])
                } else {
                    try statement("""
                        UPDATE payments SET status = 'authorizing', reference = NULL, detail = NULL, provider = ?, amount_minor = ?,
                            currency = ?, claimed_until = ?, updated_at = ?
                        WHERE idempotency_key = ?
                        """).run([provider, amountMinor, currency, now + claimSeconds, stamp, idempotencyKey])
                }
                return .claimed
            }
        }
    }

    /// The provider's answer to a claimed form.
    public enum Authorization: Equatable, Sendable {
        case authorized(reference: String)
        case declined(message: String)
    }

    /// Records the provider's answer to a claimed form.
    public func recordAuthorization(idempotencyKey: String, result: Authorization, now: Int) throws {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        try wrap {
            try connection.writeTransaction {
                switch result {
                case .authorized(let reference):
                    try statement("UPDATE payments SET status = 'authorized', reference = ?, claimed_until = NULL, detail = NULL, updated_at = ? WHERE idempotency_key = ?")
                        .run([reference, stamp, idempotencyKey])
                case .declined(let message):
                    try statement("UPDATE payments SET status = 'declined', claimed_until = NULL, detail = ?, updated_at = ? WHERE idempotency_key = ?")
                        .run([message, stamp, idempotencyKey])
                }
            }
        }
    }

    /// Records that the provider voided an authorisation, and why.
    public func recordVoid(reference: String, reason: String, now: Int) throws {
        let stamp = Timestamp.format(secondsSinceEpoch: now)
        try wrap {
            try connection.writeTransaction {
                try statement("UPDATE payments SET status = 'voided', detail = ?, updated_at = ? WHERE reference = ? AND status = 'authorized'")
                    .run([reason, stamp, reference])
            }
        }
    }

    /// Notes a void the provider did not carry out; the next sweep tries again.
    public func recordVoidFailure(reference: String, message: String, now: Int) throws {
        try wrap {
            try statement("UPDATE payments SET detail = ?, updated_at = ? WHERE reference = ? AND status = 'authorized'")
                .run(["void failed: " + message, Timestamp.format(secondsSinceEpoch: now), reference])
        }
    }

    static let paymentColumns = "idempotency_key, appointment_id, provider, reference, amount_minor, currency, status, detail, captured_minor, refunded_minor, keep_minor"

    func readPayment(_ row: SQLiteRow) -> PaymentRecord {
        PaymentRecord(idempotencyKey: row.text(0), appointmentID: row.optionalText(1), provider: row.text(2), reference: row.optionalText(3),
                      amountMinor: row.int(4), currency: row.text(5), status: PaymentStatus(rawValue: row.text(6)) ?? .authorizing,
                      detail: row.optionalText(7), capturedMinor: row.int(8), refundedMinor: row.int(9), keepMinor: row.optionalInt(10))
    }

    // MARK: Settling

    /// What the provider must do with a payment so that it matches its session.
    public enum Settlement: Equatable, Sendable {
        /// The session is booked or took place: take the whole amount.
        case capture(amountMinor: Int)
        /// The session will not take place and nothing was taken: take the fee (if any) and
        /// release the rest (`capture` of the fee, or `void` when it is 0).
        case release(keepMinor: Int)
        /// The session was cancelled after the capture: give back all but the fee.
        case refund(amountMinor: Int)
    }

    /// Payments that do not match their session yet, each with what would settle it:
    /// authorisations of booked, done or no-show sessions (capture); authorisations whose
    /// booking expired, was cancelled or never happened within `orphanSeconds` (release);
    /// captures of cancelled sessions not refunded yet (refund).
    public func paymentsToSettle(now: Int, orphanSeconds: Int = 600, appointmentID: String? = nil) throws -> [(payment: PaymentRecord, settlement: Settlement)] {
        let cutoff = Timestamp.format(secondsSinceEpoch: now - orphanSeconds)
        let columns = Self.paymentColumns.split(separator: ",").map { "p." + WebText.trimmed($0) }.joined(separator: ", ")
        return try wrap {
            try connection.query("""
                SELECT \(columns), a.status FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
                WHERE p.status IN ('authorized', 'captured') AND p.reference IS NOT NULL AND (?2 IS NULL OR p.appointment_id = ?2)
                  AND (p.appointment_id IS NOT NULL OR p.updated_at <= ?1)
                ORDER BY p.id
                """, [cutoff, appointmentID]) { row -> (PaymentRecord, Settlement)? in
                let record = readPayment(row)
                let session = row.optionalText(11).flatMap(AppointmentStatus.init(rawValue:))
                let keep = min(record.keepMinor ?? 0, record.amountMinor)
                switch (record.status, session) {
                case (.authorized, .scheduled?), (.authorized, .completed?), (.authorized, .noShow?):
                    return (record, .capture(amountMinor: record.amountMinor))
                case (.authorized, .expired?), (.authorized, .cancelled?), (.authorized, nil):
                    return (record, .release(keepMinor: session == .cancelled ? keep : 0))
                case (.captured, .cancelled?) where record.capturedMinor - record.refundedMinor > keep:
                    return (record, .refund(amountMinor: record.capturedMinor - record.refundedMinor - keep))
                default:
                    return nil
                }
            }.compactMap { $0 }
        }
    }

    /// Records that the provider took `amountMinor` of an authorisation.
    public func recordCapture(reference: String, amountMinor: Int, now: Int) throws {
        try wrap {
            try statement("UPDATE payments SET status = 'captured', captured_minor = ?, detail = NULL, updated_at = ? WHERE reference = ? AND status = 'authorized'")
                .run([amountMinor, Timestamp.format(secondsSinceEpoch: now), reference])
        }
    }

    /// Records that the provider gave back `amountMinor` of a capture.
    public func recordRefund(reference: String, amountMinor: Int, reason: String, now: Int) throws {
        try wrap {
            try statement("""
                UPDATE payments SET status = 'refunded', refunded_minor = refunded_minor + ?, detail = ?, updated_at = ?
                WHERE reference = ? AND status IN ('captured', 'refunded') AND refunded_minor + ? <= captured_minor
                """).run([amountMinor, reason, Timestamp.format(secondsSinceEpoch: now), reference, amountMinor])
        }
    }

    /// Notes a settlement the provider did not carry out; the next sweep tries again.
    public func recordSettlementFailure(reference: String, message: String, now: Int) throws {
        try wrap {
            try statement("UPDATE payments SET detail = ?, updated_at = ? WHERE reference = ?")
                .run(["not settled: " + message, Timestamp.format(secondsSinceEpoch: now), reference])
        }
    }

    public func payment(idempotencyKey: String) throws -> PaymentRecord? {
        try wrap {
            try statement("SELECT \(Self.paymentColumns) FROM payments WHERE idempotency_key = ?").map([idempotencyKey], readPayment).first
        }
    }

    /// The payment of an appointment, if it has one.
    public func payment(appointmentID: String) throws -> PaymentRecord? {
        try wrap {
            try statement("SELECT \(Self.paymentColumns) FROM payments WHERE appointment_id = ? ORDER BY id DESC LIMIT 1").map([appointmentID], readPayment).first
        }
    }

    /// Authorisations whose booking did not happen: the appointment expired unconfirmed or
    /// was cancelled, or none was made within `orphanSeconds` (its process died between
    /// the provider's answer and the booking).
    public func authorizationsToVoid(now: Int, orphanSeconds: Int = 600) throws -> [PaymentRecord] {
        let cutoff = Timestamp.format(secondsSinceEpoch: now - orphanSeconds)
        return try wrap {
            try connection.query("""
                SELECT \(Self.paymentColumns.split(separator: ",").map { "p." + WebText.trimmed($0) }.joined(separator: ", "))
                FROM payments p LEFT JOIN appointments a ON a.id = p.appointment_id
                WHERE p.status = 'authorized'
                  AND (a.status IN ('expired', 'cancelled') OR (p.appointment_id IS NULL AND p.updated_at <= ?))
                ORDER BY p.id
                """, [cutoff], readPayment)
        }
    }

    /// Claims whose process died before recording the provider's answer.
    public func staleClaims(now: Int) throws -> [PaymentRecord] {
        try wrap {
            try connection.query("SELECT \(Self.paymentColumns) FROM payments WHERE status = 'authorizing' AND claimed_until <= ? ORDER BY id",
                                 [now], readPayment)
        }
    }

    /// Marks every pending appointment whose hold has run out as expired (with its event);
    /// returns their ids. `mentorID` limits it to one mentor (inside a booking).
    @discardableResult
    func expireHolds(mentorID: String? = nil, now: Int, stamp: String) throws -> [String] {
        let expired = try statement("""
            SELECT id FROM appointments WHERE status = 'pending' AND hold_expires_at <= ? AND (?2 IS NULL OR mentor_id = ?2)
            """).map([now, mentorID]) { $0.text(0) }
        for id in expired {
            try statement("UPDATE appointments SET status = 'expired', updated_at = ? WHERE id = ?").run([stamp, id])
            try recordEvent(id, from: .pending, to: .expired, detail: "hold expired", now: stamp)
        }
        return expired
    }

    /// `expireHolds` for every mentor, in its own transaction (`mentorsite mail` runs it).
    @discardableResult
    public func expireHolds(now: Int) throws -> [String] {
        try wrap {
            try connection.writeTransaction { try expireHolds(now: now, stamp: Timestamp.format(secondsSinceEpoch: now)) }
        }
    }
}

extension PaymentStatus: SQLBindable {
    var sqlValue: SQLValue { .text(rawValue) }
}
