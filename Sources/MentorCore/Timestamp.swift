import FoundationEssentials

/// UTC instants as ISO 8601 text (`2026-11-26T09:30:00Z`), the form the database stores.
public enum Timestamp {
    /// Now, or `SOURCE_DATE_EPOCH` when set, so that builds can be reproduced
    /// (https://reproducible-builds.org/specs/source-date-epoch/).
    public static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Int(text), text.allSatisfy(\.isNumber) {
            return format(secondsSinceEpoch: seconds)
        }
        return format(secondsSinceEpoch: Int(Date().timeIntervalSince1970))
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
