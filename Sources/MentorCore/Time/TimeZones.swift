#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Validation of IANA time zone names, and where their rules live.
public enum TimeZones {
    private static let areas = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
    ]

    /// The system's time zone database: `$TZDIR` as for the C library, else Debian's
    /// `/usr/share/zoneinfo` (package `tzdata`).
    public static let folder: String = {
        if let value = getenv("TZDIR"), value.pointee != 0 { return String(cString: value) }
        return "/usr/share/zoneinfo"
    }()

    /// True only for a canonical-style IANA name such as `Africa/Nairobi` or `UTC` that the
    /// system's time zone database has.
    ///
    /// POSIX-style names (`EST5EDT`, `GMT+5`) and deprecated links (`US/Eastern`) are refused:
    /// a mentor's zone must be a real place so that DST rules follow it.
    public static func isIANAName(_ name: String) -> Bool {
        ZoneRules(identifier: name) != nil
    }

    /// Nil when the time zone database can be read; otherwise what is wrong, for a message
    /// that names the fix instead of calling every zone unknown.
    public static var databaseProblem: String? {
        ZoneRules(identifier: "UTC") != nil ? nil : "there is no time zone database in \(folder): install tzdata (Debian: apt-get install tzdata) or set TZDIR"
    }

    /// `UTC` or `Area/Place[/Place]` with printable ASCII and no `.`/`..` segment: safe
    /// to look up as a path below `folder`.
    static func hasIANAShape(_ name: String) -> Bool {
        if name == "UTC" { return true }
        guard let area = name.split(separator: "/", maxSplits: 1).first, areas.contains(where: { $0 == area }),
              name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
              name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return false }
        return true
    }
}
