import MentorCore
import MentorStore
import TemplateEngine

/// The mails booking sends, rendered from the plain-text templates in `templates/mail/`
/// by the same engine as the pages (`{{% CONTENT_TYPE: TEXT}}`: nothing is HTML-escaped).
/// A template's first line is the subject, then a blank line, then the body. Times meant
/// for the patient are in the patient's zone, and the mentor's in the mentor's, each with
/// its zone named. No notes or other health details ever go into mail.
struct BookingMails {
    let pages: BookingPages
    /// Signs confirmation links; only the CGI's mails have them (nil in `mentorsite mail`).
    let key: SecretKey?
    let now: Int

    enum Kind: String {
        case confirm, booked, rescheduled, cancelled
        case mentorBooked = "mentor-booked", mentorRescheduled = "mentor-rescheduled", mentorCancelled = "mentor-cancelled"
        case signIn = "sign-in"
        case cancelledByMentor = "cancelled-by-mentor"
        case reminder, mentorReminder = "mentor-reminder", reminderSMS = "reminder-sms"
        case mentorLeft = "mentor-left"
    }

    /// A session the mentor cancelled: their reason, and a link to book again.
    func cancelledByMentor(_ appointment: Appointment, mentor: Mentor, patientName: String, email: String, reason: String,
                           bookAgain: String) throws(BookingError) -> OutgoingMail {
        var values = try values(appointment, mentor: mentor, patientName: patientName, forMentor: false)
        values["reason"] = .text(reason)
        values["book_again"] = .text(bookAgain)
        return try render(.cancelledByMentor, to: email, values)
    }

    /// A single-use sign-in link.
    func signIn(_ account: Account, link: String, minutes: Int) throws(BookingError) -> OutgoingMail {
        try render(.signIn, to: account.email, ["name": .text(account.name), "link": .text(link), "minutes": .text(String(minutes)),
                                                "site_name": .text(pages.config.siteName)])
    }

    /// Renders `templates/mail/<kind>.mustache` for `recipient`.
    func render(_ kind: Kind, to recipient: String, _ values: [String: TemplateValue]) throws(BookingError) -> OutgoingMail {
        let name = "mail/" + kind.rawValue
        guard let library = pages.library(for: name), let text = library.render(name, values) else {
            Files.writeStandardError("mentorsite-cgi: the mail template \(name).mustache is missing or broken\n")
            throw BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 300)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let subject = WebText.trimmed(lines.first ?? "")
        lines.removeFirst(min(2, lines.count))
        while lines.last?.isEmpty == true { lines.removeLast() }
        return OutgoingMail(kind: kind.rawValue, recipient: recipient, subject: subject, body: WebText.join(lines, separator: "\n"))
    }

    /// The values every mail about `appointment` shares.
    func values(_ appointment: Appointment, mentor: Mentor, patientName: String, forMentor: Bool) throws(BookingError) -> [String: TemplateValue] {
        let mentorZone = try appointment.mentorZone()
        let zone = forMentor ? mentorZone : try appointment.patientZone()
        var values: [String: TemplateValue] = [
            "mentor": .text(mentor.profile.name),
            "patient": .text(patientName),
            "type": .text(appointment.appointmentType.label.lowercased()),
            "when": .text(Formatting.instantAndZone(appointment.start, in: zone)),
            "subject_time": .text(Formatting.subjectTime(appointment.start, in: zone)),
            "mentor_url": .text(pages.paths.absolute(pages.paths.mentor(mentor.slug))),
            "dashboard_url": .text(pages.absoluteURL("/dashboard")),
        ]
        values.setOptional("mentor_when", zone.identifier == mentorZone.identifier ? nil : Formatting.instantAndZone(appointment.start, in: mentorZone))
        values.setOptional("join_url", Joining.link(of: appointment))
        values["join_how"] = .text(Joining.how(appointment.appointmentType))
        return values
    }

    /// What a new booking sends: a confirmation link for a new address (the slot is held),
    /// or the booking itself and the mentor's notice.
    func forNewBooking(_ appointment: Appointment, mentor: Mentor, patientName: String, email: String, manageToken: String) throws(BookingError) -> [OutgoingMail] {
        guard appointment.status == .pending else {
            return [try booked(appointment, mentor: mentor, patientName: patientName, email: email, manageToken: manageToken)]
                + (try mentorNotice(.mentorBooked, appointment, mentor: mentor, patientName: patientName))
        }
        var values = try values(appointment, mentor: mentor, patientName: patientName, forMentor: false)
        let zone = try appointment.patientZone()
        let hold = appointment.holdExpiresAt ?? now
        values["hold_until"] = .text(Formatting.time(hold, in: zone) + " (" + zone.identifier + ")")
        guard let key else { throw BookingError(.unavailable, "Booking is unavailable right now.", retryAfter: 300) }
        values["link"] = .text(pages.absoluteURL("/confirm") + "?token=" + SignedToken.sign(purpose: "confirm", subject: appointment.id, expires: hold, key: key))
        return [try render(.confirm, to: email, values)]
    }

    /// The patient's booking mail, with the manage link when there is a new one to send.
    func booked(_ appointment: Appointment, mentor: Mentor, patientName: String, email: String, manageToken: String?) throws(BookingError) -> OutgoingMail {
        var values = try values(appointment, mentor: mentor, patientName: patientName, forMentor: false)
        values.setOptional("manage_url", manageToken.map { pages.absoluteURL("/manage") + "?token=" + $0 })
        return try render(.booked, to: email, values)
    }

    func rescheduled(_ appointment: Appointment, mentor: Mentor, patientName: String, email: String) throws(BookingError) -> OutgoingMail {
        try render(.rescheduled, to: email, values(appointment, mentor: mentor, patientName: patientName, forMentor: false))
    }

    /// - Parameter payment: what becomes of the payment (`PaymentSettlement.cancellationNote`).
    func cancelled(_ appointment: Appointment, mentor: Mentor, patientName: String, email: String, payment: String? = nil) throws(BookingError) -> OutgoingMail {
        var values = try values(appointment, mentor: mentor, patientName: patientName, forMentor: false)
        values.setOptional("payment", payment)
        return try render(.cancelled, to: email, values)
    }

    /// The reminders of a session: to the patient by email (and SMS when they asked for it
    /// and SMS are configured), and to the mentor when their content file gives an `email`.
    func reminders(_ due: DueReminder, sms: Bool) throws(BookingError) -> [OutgoingMail] {
        let lead = Self.lead(minutes: due.minutesBefore)
        var patient = try values(due.appointment, mentor: due.mentor, patientName: due.patientName, forMentor: false)
        patient["lead"] = .text(lead)
        patient["sessions_url"] = .text(pages.absoluteURL("/sessions"))
        var messages = [try render(.reminder, to: due.patientEmail, patient)]
        if sms, due.appointment.smsConsent, let phone = due.appointment.patientPhone {
            patient["site_name"] = .text(pages.config.siteName)
            var text = try render(.reminderSMS, to: phone, patient)
            text.channel = .sms
            messages.append(text)
        }
        if let address = due.mentor.profile.email {
            var mentor = try values(due.appointment, mentor: due.mentor, patientName: due.patientName, forMentor: true)
            mentor["lead"] = .text(lead)
            messages.append(try render(.mentorReminder, to: address, mentor))
        }
        return messages
    }

    /// "24 hours", "1 hour", "90 minutes".
    static func lead(minutes: Int) -> String {
        if minutes % 60 == 0 { return minutes == 60 ? "1 hour" : "\(minutes / 60) hours" }
        return "\(minutes) minutes"
    }

    /// What the mentor hears about a scheduled, moved or cancelled session, when their
    /// content file gives an `email`: the patient's name only (contact details stay on the
    /// dashboard).
    func mentorNotice(_ kind: Kind, _ appointment: Appointment, mentor: Mentor, patientName: String, previousStart: Int? = nil) throws(BookingError) -> [OutgoingMail] {
        guard let address = mentor.profile.email else { return [] }
        var values = try values(appointment, mentor: mentor, patientName: patientName, forMentor: true)
        let zone = try appointment.mentorZone()
        values.setOptional("previous", previousStart.map { Formatting.instant($0, in: zone) })
        return [try render(kind, to: address, values)]
    }
}
