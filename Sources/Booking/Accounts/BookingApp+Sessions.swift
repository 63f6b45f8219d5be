import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// `/sessions`: a signed-in patient's sessions, upcoming and past, each with its page
/// (move, cancel, calendar file) and a link to book the same mentor again.
extension BookingApp {
    func showSessions(_ request: CGIRequest) throws -> CGIResponse {
        guard let account = try currentAccount(request) else {
            throw BookingError(.seeOther, "Sign in to see your sessions.", location: pages.url("/sign-in"))
        }
        guard account.kind == .patient else { return redirect("/dashboard") }
        let sessions = try database.patientSessions(patientID: account.id)
        let upcoming = sessions.filter { $0.appointment.end > now && $0.appointment.status.isLive }.reversed()
        let past = sessions.filter { !($0.appointment.end > now && $0.appointment.status.isLive) }
        let payments = Dictionary(try sessions.compactMap { session in
            try database.payment(appointmentID: session.appointment.id).map { (session.appointment.id, PaymentSettlement.describe($0)) }
        }, uniquingKeysWith: { first, _ in first })
        func values(_ session: PatientSession) -> TemplateValue {
            let appointment = session.appointment
            let access = ManageAccess(field: "appointment", value: appointment.id)
            var value: [String: TemplateValue] = [
                "mentor": .text(session.mentorName),
                "mentor_url": .text(pages.paths.mentor(session.mentorSlug)),
                "type": .text(appointment.appointmentType.label),
                "status": .text(Self.statusLabel(appointment.status)),
                "manage_url": .text(pages.url("/manage") + "?" + access.query),
                "ics_url": .text(pages.url("/calendar.ics") + "?" + access.query),
                "book_again_url": .text(pages.url("") + "?mentor=" + WebText.percentEncode(session.mentorSlug)),
                "can_book_again": .flag(session.mentorIsActive),
                "can_change": .flag(isChangeableOnline(appointment)),
                "join_how": .text(Joining.how(appointment.appointmentType)),
            ]
            value.setOptional("join_url", appointment.end > now ? Joining.link(of: appointment) : nil)
            value.setOptional("payment", payments[appointment.id])
            value.setOptional("cancelled_by", appointment.cancelledBy.map { $0 == .patient ? "by you" : "by \($0 == .mentor ? session.mentorName : "us")" })
            if let zone = try? appointment.patientZone(), let mentorZone = try? appointment.mentorZone() {
                value["when"] = .text(Formatting.instantAndZone(appointment.start, in: zone))
                value.setOptional("mentor_when", zone.identifier == mentorZone.identifier ? nil : Formatting.instantAndZone(appointment.start, in: mentorZone))
            }
            return .object(value)
        }
        return withSession(request) { csrf in
            pages.page("booking/sessions", title: "Your sessions", values: [
                "title": "Your sessions", "name": .text(account.name), "csrf": .text(csrf), "sign_out_url": .text(pages.url("/sign-out")),
                "has_upcoming": .flag(!upcoming.isEmpty), "upcoming": .list(upcoming.map(values)),
                "has_past": .flag(!past.isEmpty), "past": .list(past.map(values)),
            ])
        }
    }
}
