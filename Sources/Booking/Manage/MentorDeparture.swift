import MentorCore
import MentorStore

/// When a mentor leaves the directory (their content file is removed and `import` makes
/// them inactive), their sessions still to come are cancelled by the operator and each
/// patient is emailed with a link to book someone else (the directory). The payments are refunded in full by the next
/// `mentorsite mail`.
public enum MentorDeparture {
    /// - Returns: how many sessions were cancelled.
    @discardableResult
    public static func cancelSessions(database: MentorDatabase, config: SiteConfig, sourcePaths: [String], now: Int) throws -> Int {
        guard !sourcePaths.isEmpty else { return 0 }
        let pages = BookingPages(config: config)
        let mails = BookingMails(pages: pages, key: nil, now: now)
        let paths = URLs(config: config)
        var cancelled = 0
        for mentor in try database.mentors(includingInactive: true) where sourcePaths.contains(mentor.sourcePath) && !mentor.isActive {
            for session in try database.mentorSessions(mentorID: mentor.id, upcoming: true, now: now) where session.appointment.start > now {
                let rebook = paths.absolute(paths.home)
                let done = try database.cancel(appointmentID: session.appointment.id, by: .operator, reason: "mentor left the directory", window: 0, now: now) { appointment in
                    var values = try mails.values(appointment, mentor: mentor, patientName: session.name, forMentor: false)
                    values["site_name"] = .text(config.siteName)
                    values["rebook_url"] = .text(rebook)
                    return [try mails.render(.mentorLeft, to: session.email, values)]
                }
                if done != nil { cancelled += 1 }
            }
        }
        return cancelled
    }
}
