import FoundationEssentials

/// UTC instants as ISO 8601 text (`2026-11-26T09:30:00Z`), the form the database stores.
public enum Timestamp {
    /// The time recorded on what a command writes: `SOURCE_DATE_EPOCH` when set, so that
    /// builds can be reproduced (https://reproducible-builds.org/specs/source-date-epoch/),
    /// else `Clock`'s now (`MENTORSITE_TEST_NOW` or the system clock).
    public static func now(environment: [String: String] = Files.environment()) -> String {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int(plainDigits: text) {
            return format(secondsSinceEpoch: seconds)
        }
        return format(secondsSinceEpoch: (try? Clock.now(environment: environment)) ?? Clock.systemNow())
    }

    public static func format(secondsSinceEpoch seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let date = CalendarDate(daysSinceEpoch: days)
        return "\(date)T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))Z"
    }

    /// The date part of a stored timestamp (`YYYY-MM-DD`).
    public static func datePart(_ timestamp: String) -> String { String(timestamp.prefix(10)) }
}
