import Foundation

/// A time zone's UTC offsets, and the strict conversion of a local date and time to an
/// instant that Foundation does not offer: Foundation silently moves a time that does not
/// exist (New York, 2027-03-14 02:30) to one that does, and picks one side of an
/// ambiguous one without saying so.
public struct ZoneRules: Sendable {
    public let identifier: String
    private let zone: TimeZone

    /// Nil unless `identifier` is an IANA zone name (see `TimeZones.isIANAName`).
    public init?(identifier: String) {
        guard let zone = TimeZones.zone(named: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// Seconds east of UTC at an instant (seconds since 1970-01-01T00:00:00Z).
    public func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// What a local wall-clock time means in this zone.
    public enum Resolution: Equatable, Sendable {
        /// One instant.
        case unique(Int)
        /// The clocks went back: the time happened twice (first in the earlier offset).
        case ambiguous(earlier: Int, later: Int)
        /// The clocks went forward over it: the time never happened.
        case nonexistent
    }

    /// Resolves a local date and time (minutes after midnight; 24 × 60 means the next midnight).
    public func resolve(_ date: CalendarDate, minutes: Int) -> Resolution {
        let local = date.daysSinceEpoch * 86_400 + minutes * 60
        // Every offset in force within a day either side; a zone changes offset at most
        // a few times a year, so these two cover any one local time.
        let offsets = Set([offset(at: local - 86_400), offset(at: local + 86_400), offset(at: local)])
        let instants = offsets.map { local - $0 }.filter { offset(at: $0) == local - $0 }.sorted()
        switch instants.count {
        case 0: return .nonexistent
        case 1: return .unique(instants[0])
        default: return .ambiguous(earlier: instants[0], later: instants[instants.count - 1])
        }
    }

    /// The local date and minutes after midnight of an instant.
    public func local(_ instant: Int) -> (date: CalendarDate, minutes: Int) {
        let local = instant + offset(at: instant)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return (CalendarDate(daysSinceEpoch: days), (local - days * 86_400) / 60)
    }

    /// `UTC+05:45`, `UTC−03:00`, `UTC` for an offset in seconds.
    public static func describe(offset: Int) -> String {
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC\(offset < 0 ? "−" : "+")\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2))"
    }
}
