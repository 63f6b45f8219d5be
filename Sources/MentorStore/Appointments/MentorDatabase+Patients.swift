import FoundationEssentials
import MentorCore

/// A patient as stored: one per email address.
public struct PatientRecord: Equatable, Sendable {
    public var id: String
    public var name: String
    public var email: String
    public var phone: String?
    public var isVerified: Bool
}

extension MentorDatabase {
    /// The name and phone typed for the patient's latest booking, if any.
    public func lastBookingDetails(patientID: String) throws -> (name: String?, phone: String?)? {
        try wrap {
            try statement("SELECT patient_name, patient_phone FROM appointments WHERE patient_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1")
                .map([patientID]) { ($0.optionalText(0), $0.optionalText(1)) }.first
        }
    }

    public func patient(id: String) throws -> PatientRecord? {
        try wrap {
            try statement("SELECT id, name, email, phone, verified_at IS NOT NULL FROM patients WHERE id = ?").map([id]) {
                PatientRecord(id: $0.text(0), name: $0.text(1), email: $0.text(2), phone: $0.optionalText(3), isVerified: $0.int(4) == 1)
            }.first
        }
    }

    /// The patient with this address, created when new. Only the patient signed in with
    /// this address (`verified`) changes an existing record: unverified input, which anyone
    /// can type, stays on its own appointment.
    func patient(email: String, name: String, phone: String?, verified: Bool, now: String) throws -> String {
        if let id = try statement("SELECT id FROM patients WHERE email = ?").map([email], { $0.text(0) }).first {
            if verified {
                try statement("UPDATE patients SET name = ?, phone = coalesce(?, phone) WHERE id = ?").run([name, phone, id])
            }
            return id
        }
        let id = UUID().uuidString.lowercased()
        try statement("INSERT INTO patients (id, email, name, phone, verified_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .run([id, email, name, phone, verified ? now : nil, now])
        return id
    }
}
