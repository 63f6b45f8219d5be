import FoundationEssentials
import MentorCore

/// The patient's details as typed, and the checks that turn them into values.
public struct PatientDetails: Equatable, Sendable {
    public var name: String
    public var email: String
    public var phone: String?
    public var notes: String?
    /// Reminders by SMS too, at `phone` (only offered where SMS are configured).
    public var sms = false

    public static let maximumNotes = 2000

    /// Field → message for every problem, for the form's inline errors.
    public static func validate(_ form: FormData) -> Result<PatientDetails, FieldErrors> {
        var errors: [String: String] = [:]
        let name = WebText.trimmingWhitespace(form["name"] ?? "")
        if name.isEmpty {
            errors["name"] = "Enter your name."
        } else if name.count > 100 || name.unicodeScalars.count > 400 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["name"] = "Enter a name of at most 100 characters, on one line."
        } else if PlainText.problem(name) != nil {
            errors["name"] = "Enter your name in letters people can read (no invisible or direction-changing characters)."
        }
        let email = WebText.trimmingWhitespace(form["email"] ?? "").lowercased()
        if !EmailAddress.isValid(email) {
            errors["email"] = "Enter one email address, like name@example.org."
        }
        let phoneText = WebText.trimmingWhitespace(form["phone"] ?? "")
        if !phoneText.isEmpty && !isPhone(phoneText) {
            errors["phone"] = "Enter a phone number with digits, spaces, +, - or brackets only, or leave it empty."
        }
        let notes = WebText.trimmingWhitespace(form["notes"] ?? "")
        if notes.count > maximumNotes {
            errors["notes"] = "Keep your notes under \(maximumNotes) characters (now \(notes.count))."
        }
        let sms = form["sms"] == "yes"
        if sms && phoneText.isEmpty && errors["phone"] == nil {
            errors["phone"] = "Enter the phone number for the text reminders, or untick them."
        }
        if !errors.isEmpty { return .failure(FieldErrors(messages: errors)) }
        var details = PatientDetails(name: name, email: email, phone: phoneText.isEmpty ? nil : phoneText, notes: notes.isEmpty ? nil : notes)
        details.sms = sms
        return .success(details)
    }

    static func isPhone(_ text: String) -> Bool {
        let digits = text.filter(\.isWholeNumber).count
        return (6...20).contains(digits) && text.count <= 30 && text.allSatisfy { $0.isASCII && ($0.isWholeNumber || " +-().".contains($0)) }
    }
}

/// Messages by form field, shown beside the fields and in the error summary.
public struct FieldErrors: Error, Equatable, Sendable {
    public var messages: [String: String]
}
