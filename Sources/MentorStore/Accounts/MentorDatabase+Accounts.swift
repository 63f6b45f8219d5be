import FoundationEssentials
import MentorCore

/// Who signs in: a mentor (by the content key `email`) or a patient.
public enum AccountKind: String, Sendable {
    case mentor, patient
}

/// A person signed in, or about to be.
public struct Account: Equatable, Sendable {
    public var kind: AccountKind
    /// The mentor's or the patient's id.
    public var id: String
    public var email: String
    public var name: String

    public init(kind: AccountKind, id: String, email: String, name: String) {
        self.kind = kind
        self.id = id
        self.email = email
        self.name = name
    }
}

/// Signing in by emailed link: a single-use, expiring link (only its SHA-256 stored), then a
/// session kept here, so that signing out ends it on the server too.
extension MentorDatabase {
    /// The account an address belongs to: an active mentor whose `email` it is (one only),
    /// else a patient.
    public func account(email: String) throws -> Account? {
        try wrap {
            let mentors = try statement("SELECT id, name FROM mood_mentor_profiles WHERE email = ? AND is_active = 1 LIMIT 2").map([email]) { ($0.text(0), $0.text(1)) }
            if mentors.count == 1 { return Account(kind: .mentor, id: mentors[0].0, email: email, name: mentors[0].1) }
            return try statement("SELECT id, name FROM patients WHERE email = ?").map([email]) {
                Account(kind: .patient, id: $0.text(0), email: email, name: $0.text(1))
            }.first
        }
    }

    /// Stores a sign-in link and queues its mail, in one transaction.
    public func createSignInLink(for account: Account, tokenHash: String, now: Int, lifetime: Int, mail: OutgoingMail) throws {
        try wrap {
            try connection.writeTransaction {
                try statement("DELETE FROM sign_in_links WHERE expires_at <= ?").run([now - 86_400])
                try statement("INSERT INTO sign_in_links (token_hash, kind, subject_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
                    .run([tokenHash, account.kind.rawValue, account.id, now, now + lifetime])
                try enqueue(mail, appointmentID: nil, now: Timestamp.format(secondsSinceEpoch: now))
            }
        }
    }

    /// The account a sign-in link is for, while it is unused and unexpired (for the page
    /// that shows its button).
    public func signInLink(tokenHash: String, now: Int) throws -> Account? {
        try wrap {
            guard let (kind, id) = try statement("SELECT kind, subject_id FROM sign_in_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")
                .map([tokenHash, now], { ($0.text(0), $0.text(1)) }).first, let kind = AccountKind(rawValue: kind)
            else { return nil }
            return try accountRecord(kind: kind, id: id)
        }
    }

    /// Uses a sign-in link once (a compare-and-set) and opens a session for its account; a
    /// patient who signs in by link has shown the address is theirs. Nil when the link was
    /// used, expired or never existed.
    public func signIn(tokenHash: String, sessionHash: String, now: Int, sessionLifetime: Int) throws -> Account? {
        try wrap {
            try connection.writeTransaction { () throws -> Account? in
                guard let (kind, id) = try statement("SELECT kind, subject_id FROM sign_in_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")
                    .map([tokenHash, now], { ($0.text(0), $0.text(1)) }).first, let kind = AccountKind(rawValue: kind)
                else { return nil }
                try statement("UPDATE sign_in_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL").run([now, tokenHash])
                guard connection.changes == 1, let account = try accountRecord(kind: kind, id: id) else { return nil }
                if kind == .patient {
                    try statement("UPDATE patients SET verified_at = coalesce(verified_at, ?) WHERE id = ?").run([Timestamp.format(secondsSinceEpoch: now), id])
                }
                try openSession(account, sessionHash: sessionHash, now: now, lifetime: sessionLifetime)
                return account
            }
        }
    }

    /// Opens a session for a patient who just confirmed a booking from their mail.
    public func openPatientSession(patientID: String, sessionHash: String, now: Int, lifetime: Int) throws {
        try wrap {
            try connection.writeTransaction {
                guard let account = try accountRecord(kind: .patient, id: patientID) else { return }
                try openSession(account, sessionHash: sessionHash, now: now, lifetime: lifetime)
            }
        }
    }

    func openSession(_ account: Account, sessionHash: String, now: Int, lifetime: Int) throws {
        try statement("DELETE FROM account_sessions WHERE expires_at <= ?").run([now - 86_400])
        try statement("INSERT INTO account_sessions (id_hash, kind, subject_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
            .run([sessionHash, account.kind.rawValue, account.id, now, now + lifetime])
    }

    /// The account of a live session.
    public func account(sessionHash: String, now: Int) throws -> Account? {
        try wrap {
            guard let (kind, id) = try statement("SELECT kind, subject_id FROM account_sessions WHERE id_hash = ? AND ended_at IS NULL AND expires_at > ?")
                .map([sessionHash, now], { ($0.text(0), $0.text(1)) }).first, let kind = AccountKind(rawValue: kind)
            else { return nil }
            return try accountRecord(kind: kind, id: id)
        }
    }

    /// Ends a session (signing out).
    public func endSession(sessionHash: String, now: Int) throws {
        try wrap { try statement("UPDATE account_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL").run([now, sessionHash]) }
    }

    /// A mentor (active, with a notice address) or a patient, by id.
    func accountRecord(kind: AccountKind, id: String) throws -> Account? {
        switch kind {
        case .mentor:
            return try statement("SELECT id, email, name FROM mood_mentor_profiles WHERE id = ? AND is_active = 1 AND email IS NOT NULL").map([id]) {
                Account(kind: .mentor, id: $0.text(0), email: $0.text(1), name: $0.text(2))
            }.first
        case .patient:
            return try statement("SELECT id, email, name FROM patients WHERE id = ?").map([id]) {
                Account(kind: .patient, id: $0.text(0), email: $0.text(1), name: $0.text(2))
            }.first
        }
    }
}
