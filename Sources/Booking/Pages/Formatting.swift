import MentorCore

/// Dates and times for people, without ICU on the request path.
enum Formatting {
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// `Monday 30 November 2026`
    static func day(_ date: CalendarDate) -> String {
        "\(weekdays[date.weekday.rawValue]) \(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// `Mon 30 Nov`, for ranges and slots where the year is plain.
    static func shortDay(_ date: CalendarDate) -> String {
        "\(weekdays[date.weekday.rawValue].prefix(3)) \(date.day) \(months[date.month - 1].prefix(3))"
    }

    /// A slot in the patient's zone, as short as is clear: `04:00`, or `22:00 Fri 27 Nov`
    /// when that is another day than the mentor's.
    static func patientTime(_ instant: Int, in zone: ZoneRules, mentorDate: CalendarDate) -> String {
        let local = zone.local(instant)
        let time = LocalTime(minutes: local.minutes)!.description
        return local.date == mentorDate ? time : time + " " + shortDay(local.date)
    }

    /// `Monday 30 November 2026, 09:00 (UTC+03:00)` in `zone`.
    static func instant(_ instant: Int, in zone: ZoneRules) -> String {
        let local = zone.local(instant)
        return "\(day(local.date)), \(LocalTime(minutes: local.minutes)!) (\(ZoneRules.describe(offset: zone.offset(at: instant))))"
    }

    /// `Monday 30 November 2026, 09:00 (UTC+03:00) (Africa/Nairobi)`: a time in mail, where
    /// the reader may be anywhere.
    static func instantAndZone(_ instant: Int, in zone: ZoneRules) -> String {
        self.instant(instant, in: zone) + " (" + zone.identifier + ")"
    }

    /// `Tue 8 Dec 2026, 09:00 (Europe/Berlin)`: a time in a mail subject, with its zone.
    static func subjectTime(_ instant: Int, in zone: ZoneRules) -> String {
        let local = zone.local(instant)
        return "\(shortDay(local.date)) \(local.date.year), \(LocalTime(minutes: local.minutes)!) (\(zone.identifier))"
    }

    /// `09:00` in `zone`.
    static func time(_ instant: Int, in zone: ZoneRules) -> String {
        LocalTime(minutes: zone.local(instant).minutes)!.description
    }

    /// IANA zones offered for the patient's own time (the mentor's zone is always added).
    static let commonZones = [
        "UTC", "Africa/Accra", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
        "America/Bogota", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City",
        "America/New_York", "America/Sao_Paulo", "America/Toronto", "Asia/Dubai", "Asia/Ho_Chi_Minh", "Asia/Hong_Kong",
        "Asia/Jakarta", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Manila", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore",
        "Asia/Tokyo", "Australia/Adelaide", "Australia/Sydney", "Europe/Berlin", "Europe/Dublin", "Europe/Istanbul",
        "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Stockholm", "Pacific/Auckland",
    ]
}
