import FoundationEssentials
import MentorCore

/// What a patient asks to book, already validated field by field.
public struct BookingRequest: Equatable, Sendable {
    public var mentorID: String
    public var specialty: String?
    public var appointmentType: AppointmentType
    public var start: Int
    public var patientName: String
    public var patientEmail: String
    public var patientPhone: String?
    public var patientTimezone: String?
    public var notes: String?
    /// The form's one-time key: a second submit of the same form books nothing new.
    public var idempotencyKey: String
    /// True when the patient is signed in with this email (skips the confirmation email).
    public var patientVerified: Bool
    public var paymentReference: String?
    /// SHA-256 (hex) of the manage link's random token; the token itself is never stored.
    public var manageTokenHash: String
    /// The patient agreed to reminders by SMS at `patientPhone`.
    public var smsConsent = false

    public init(mentorID: String, specialty: String?, appointmentType: AppointmentType, start: Int, patientName: String, patientEmail: String,
                patientPhone: String?, patientTimezone: String?, notes: String?, idempotencyKey: String, patientVerified: Bool,
                paymentReference: String?, manageTokenHash: String) {
        self.manageTokenHash = manageTokenHash
        self.mentorID = mentorID
        self.specialty = specialty
        self.appointmentType = appointmentType
        self.start = start
        self.patientName = patientName
        self.patientEmail = patientEmail
        self.patientPhone = patientPhone
        self.patientTimezone = patientTimezone
        self.notes = notes
        self.idempotencyKey = idempotencyKey
        self.patientVerified = patientVerified
        self.paymentReference = paymentReference
    }
}

/// Where an appointment stands (the seed's statuses, plus `pending` until a new patient
/// confirms by email and `expired` when that hold runs out).
public enum AppointmentStatus: String, Sendable, CaseIterable {
    case pending, scheduled, completed, cancelled, rescheduled, expired
    case noShow = "no_show"

    /// True while the appointment holds its time (a confirmed session or a live hold).
    public var isLive: Bool { self == .pending || self == .scheduled }
}

/// Who cancelled a session.
public enum Canceller: String, Sendable {
    case patient, mentor, `operator`
}

/// An appointment as stored.
public struct Appointment: Equatable, Sendable {
    public var id: String
    public var mentorID: String
    public var patientID: String
    public var specialty: String?
    public var appointmentType: AppointmentType
    public var start: Int
    public var end: Int
    public var mentorTimezone: String
    public var localDate: String
    public var localStart: String
    public var utcOffset: Int
    public var patientTimezone: String?
    public var status: AppointmentStatus
    public var holdExpiresAt: Int?
    public var priceMinor: Int?
    public var currency: String?
    /// The name and phone typed for this booking (older rows: nil, the patient's record holds them).
    public var patientName: String?
    public var patientPhone: String?
    /// Where the patient and the mentor meet: the mentor's own room or one made for this
    /// session. Shown only to the two of them.
    public var meetingLink: String?
    /// The patient asked for reminders by SMS too (and gave a phone number).
    public var smsConsent: Bool
    public var cancelledBy: Canceller?

    public init(id: String, mentorID: String, patientID: String, specialty: String?, appointmentType: AppointmentType, start: Int, end: Int,
                mentorTimezone: String, localDate: String, localStart: String, utcOffset: Int, patientTimezone: String?, status: AppointmentStatus,
                holdExpiresAt: Int?, priceMinor: Int?, currency: String?, patientName: String? = nil, patientPhone: String? = nil,
                meetingLink: String? = nil, smsConsent: Bool = false, cancelledBy: Canceller? = nil) {
        self.id = id
        self.mentorID = mentorID
        self.patientID = patientID
        self.specialty = specialty
        self.appointmentType = appointmentType
        self.start = start
        self.end = end
        self.mentorTimezone = mentorTimezone
        self.localDate = localDate
        self.localStart = localStart
        self.utcOffset = utcOffset
        self.patientTimezone = patientTimezone
        self.status = status
        self.holdExpiresAt = holdExpiresAt
        self.priceMinor = priceMinor
        self.currency = currency
        self.patientName = patientName
        self.patientPhone = patientPhone
        self.meetingLink = meetingLink
        self.smsConsent = smsConsent
        self.cancelledBy = cancelledBy
    }
}

/// Why a booking did not happen.
public enum BookingFailure: Error, Equatable, Sendable {
    /// The slot is gone (taken meanwhile, or no longer offered); here are the nearest free ones.
    case slotTaken(nearest: [Slot])
    /// The mentor is no longer active or has no hours.
    case mentorUnavailable

    /// Why, in a few words (recorded with a voided payment).
    public var reason: String {
        switch self {
        case .slotTaken: "slot taken"
        case .mentorUnavailable: "mentor unavailable"
        }
    }
}

extension AppointmentStatus: SQLBindable {
    var sqlValue: SQLValue { .text(rawValue) }
}

extension AppointmentType: SQLBindable {
    var sqlValue: SQLValue { .text(rawValue) }
}
