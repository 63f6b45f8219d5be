import FoundationEssentials

/// "Now" for every program: the system clock, or `MENTORSITE_TEST_NOW` (Unix seconds) when
/// it is set, so that tests run any hour, day and DST change on demand and never depend on
/// when they happen to run. Only the process environment sets it: a web server passes a
/// client's headers as `HTTP_*`, so no request can move the clock.
public enum Clock {
    public static let variable = "MENTORSITE_TEST_NOW"

    /// A set `MENTORSITE_TEST_NOW` that is not plain digits.
    public struct InvalidTestNow: Error, Equatable, CustomStringConvertible {
        public var text: String
        public var description: String {
            "\(Clock.variable) must be Unix seconds (digits only), not \"\(text.prefix(40))\""
        }
    }

    /// Unix seconds now. Throws when `MENTORSITE_TEST_NOW` is set but not plain digits,
    /// rather than quietly running on the real clock.
    public static func now(environment: [String: String]) throws(InvalidTestNow) -> Int {
        guard let text = environment[variable] else { return systemNow() }
        guard let fixed = Int(plainDigits: text) else { throw InvalidTestNow(text: text) }
        return fixed
    }

    public static func systemNow() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}
