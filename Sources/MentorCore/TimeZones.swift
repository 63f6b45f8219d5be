import Foundation

/// Validation of IANA time zone names.
public enum TimeZones {
    private static let areas: Set<Substring> = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
    ]

    /// True only for a canonical-style IANA name such as `Africa/Nairobi` or `UTC`.
    ///
    /// Foundation also accepts POSIX-style names (`EST5EDT`, `GMT+5`) and deprecated links
    /// (`US/Eastern`); a mentor's zone must be a real place so that DST rules follow it.
    public static func isIANAName(_ name: String) -> Bool {
        name == "UTC" || zone(named: name) != nil
    }

    /// The Foundation time zone for an IANA name that `isIANAName` accepts, made once per
    /// call site that needs it (`ZoneRules`), not once to check and again to use.
    public static func zone(named name: String) -> TimeZone? {
        guard name == "UTC" || hasIANAShape(name) else { return nil }
        _ = linkInternationalization
        return TimeZone(identifier: name)
    }

    private static func hasIANAShape(_ name: String) -> Bool {
        guard let area = name.split(separator: "/", maxSplits: 1).first, areas.contains(area),
              name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
              name.split(separator: "/").allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return false }
        return true
    }

    /// Referencing the zone data version keeps FoundationInternationalization linked in
    /// fully static builds; without it `TimeZone(identifier:)` silently returns nil.
    /// (`knownTimeZoneIdentifiers` is no help: ICU lists Asia/Calcutta, not Asia/Kolkata.)
    private static let linkInternationalization: String = TimeZone.timeZoneDataVersion
}
