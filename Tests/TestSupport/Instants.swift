import MentorCore

/// Unix seconds of a UTC time written `YYYY-MM-DDTHH:MM` (test data stays readable).
public func utc(_ text: String) -> Int {
    let date = CalendarDate(String(text.prefix(10)))!
    let time = LocalTime(String(text.dropFirst(11).prefix(5)))!
    return date.daysSinceEpoch * 86_400 + time.minutes * 60
}
