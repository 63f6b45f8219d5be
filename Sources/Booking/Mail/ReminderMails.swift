import MentorCore
import MentorStore

/// Queues the reminders that are due (`MentorDatabase.queueDueReminders`: once per session,
/// offset and start time), rendered from `templates/mail/reminder*.mustache`.
struct ReminderMails {
    let pages: BookingPages
    let smsEnabled: Bool

    func queueDue(database: MentorDatabase, offsets: [Int], now: Int) throws -> Int {
        let mails = BookingMails(pages: pages, key: nil, now: now)
        return try database.queueDueReminders(now: now, offsets: offsets) { due in try mails.reminders(due, sms: smsEnabled) }
    }
}
