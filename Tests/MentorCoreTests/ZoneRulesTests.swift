import Testing
import TestSupport
@testable import MentorCore
import Foundation

@Suite struct ZoneRulesTests {
    @Test func resolvesOrdinaryTimes() {
        let berlin = ZoneRules(identifier: "Europe/Berlin")!
        #expect(berlin.resolve(CalendarDate("2026-07-01")!, minutes: 9 * 60) == .unique(utc("2026-07-01T07:00")))
    }

    @Test func findsTheTimeThatNeverHappenedInNewYork() {
        let newYork = ZoneRules(identifier: "America/New_York")!
        #expect(newYork.resolve(CalendarDate("2027-03-14")!, minutes: 2 * 60 + 30) == .nonexistent)
        #expect(newYork.resolve(CalendarDate("2027-03-14")!, minutes: 3 * 60) == .unique(utc("2027-03-14T07:00")))
    }

    @Test func findsTheTimeThatHappenedTwiceInNewYork() {
        let newYork = ZoneRules(identifier: "America/New_York")!
        #expect(newYork.resolve(CalendarDate("2026-11-01")!, minutes: 90)
            == .ambiguous(earlier: utc("2026-11-01T05:30"), later: utc("2026-11-01T06:30")))
    }

    @Test func convertsInstantsBackToLocalTime() {
        let kathmandu = ZoneRules(identifier: "Asia/Kathmandu")!
        let local = kathmandu.local(utc("2026-12-31T18:30"))
        #expect(local.date == CalendarDate("2027-01-01")!)
        #expect(local.minutes == 15)
        #expect(ZoneRules.describe(offset: kathmandu.offset(at: 0)) == "UTC+05:30")
        #expect(ZoneRules.describe(offset: kathmandu.offset(at: utc("2026-01-01T00:00"))) == "UTC+05:45")
        #expect(ZoneRules.describe(offset: -3 * 3600) == "UTC−03:00")
    }

    @Test func refusesNonIANANames() {
        #expect(ZoneRules(identifier: "EST5EDT") == nil)
        #expect(ZoneRules(identifier: "GMT+5") == nil)
    }
}

@Suite struct TimeZoneNameTests {
    @Test(arguments: ["Africa/Nairobi", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "America/Argentina/Buenos_Aires", "UTC", "Pacific/Auckland"])
    func acceptsIANANames(name: String) {
        #expect(TimeZones.isIANAName(name))
    }

    @Test(arguments: ["EST5EDT", "GMT+5", "Etc/GMT+5", "US/Eastern", "EST", "Mars/Olympus", "Europe/Nowhere", "Europe/../Berlin", "europe/berlin", ""])
    func refusesPOSIXAndMadeUpNames(name: String) {
        #expect(!TimeZones.isIANAName(name))
    }
}

/// `ZoneRules` reads the system's TZif files itself; Foundation (ICU) is the reference.
@Suite struct ZoneFileTests {
    static let zones = [
        "America/New_York", "America/Los_Angeles", "America/Chicago", "America/Denver", "America/Phoenix", "America/Sao_Paulo",
        "America/Santiago", "America/Asuncion", "America/Havana", "America/St_Johns", "America/Godthab", "America/Mexico_City",
        "America/Argentina/Buenos_Aires", "Europe/Berlin", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Moscow",
        "Europe/Istanbul", "Europe/Kyiv", "Africa/Cairo", "Africa/Casablanca", "Africa/Nairobi", "Asia/Kolkata", "Asia/Kathmandu",
        "Asia/Tehran", "Asia/Jerusalem", "Asia/Gaza", "Asia/Tokyo", "Asia/Shanghai", "Australia/Sydney", "Australia/Adelaide",
        "Australia/Lord_Howe", "Australia/Eucla", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Apia", "Pacific/Kiritimati",
        "Antarctica/Troll", "Atlantic/Azores", "UTC",
    ]

    /// Every three hours over 2024–2029 and 2035–2041 (where fat files end their tables and
    /// the POSIX footer rule takes over), for zones with every kind of rule.
    @Test(arguments: zones)
    func offsetsMatchFoundation(zone name: String) throws {
        let ours = try #require(ZoneRules(identifier: name))
        let reference = try #require(TimeZone(identifier: name))
        var mismatches: [String] = []
        for (from, to) in [("2024-01-01", "2030-01-01"), ("2035-01-01", "2042-01-01")] {
            var instant = CalendarDate(from)!.daysSinceEpoch * 86_400
            let end = CalendarDate(to)!.daysSinceEpoch * 86_400
            while instant < end {
                let expected = reference.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
                if ours.offset(at: instant) != expected, mismatches.count < 5 {
                    mismatches.append("\(instant): \(ours.offset(at: instant)) ≠ \(expected)")
                }
                instant += 3 * 3600
            }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches)")
    }

    /// The exact minute of each change in New York and Sydney (north and south), from the
    /// table and from the footer rule.
    @Test func changesAtTheExactInstant() throws {
        let newYork = try #require(ZoneRules(identifier: "America/New_York"))
        for (instant, offset) in [(utc("2027-03-14T06:59"), -5), (utc("2027-03-14T07:00"), -4), (utc("2027-11-07T05:59"), -4), (utc("2027-11-07T06:00"), -5),
                                  (utc("2040-03-11T06:59"), -5), (utc("2040-03-11T07:00"), -4), (utc("2040-11-04T05:59"), -4), (utc("2040-11-04T06:00"), -5)] {
            #expect(newYork.offset(at: instant) == offset * 3600, "\(instant)")
        }
        let sydney = try #require(ZoneRules(identifier: "Australia/Sydney"))
        for (instant, offset) in [(utc("2040-03-31T15:59"), 11), (utc("2040-03-31T16:00"), 10),
                                  (utc("2040-10-06T15:59"), 10), (utc("2040-10-06T16:00"), 11)] {
            #expect(sydney.offset(at: instant) == offset * 3600, "\(instant)")
        }
    }

    @Test func readsPOSIXRules() throws {
        let rule = try #require(POSIXRule("<+0545>-5:45"))
        #expect(rule.offset(at: 0) == 5 * 3600 + 45 * 60)
        let chile = try #require(POSIXRule("<-04>4<-03>,M9.1.6/24,M4.1.6/24"))
        #expect(chile.offset(at: utc("2041-01-15T12:00")) == -3 * 3600)
        #expect(chile.offset(at: utc("2041-06-15T12:00")) == -4 * 3600)
        for bad in ["", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "<+05", "EST5EDT,J0,J365"] {
            #expect(POSIXRule(bad) == nil, "\(bad)")
        }
    }

    @Test func refusesFilesThatAreNotZones() {
        #expect(TZif(Array("not a zone file".utf8)) == nil)
        #expect(TZif(Array("TZif2".utf8) + [UInt8](repeating: 0, count: 10)) == nil)
        #expect(ZoneRules(identifier: "Europe/../Europe/Berlin") == nil)
        #expect(ZoneRules(identifier: "Europe//Berlin") == nil)
    }
}

@Suite struct FarInstantTests {
    /// Instants from requests once reached the POSIX rule's year arithmetic with year 10000
    /// and crashed (a force-unwrapped `CalendarDate`); the rules now hold for any year.
    @Test(arguments: ["America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"])
    func offsetsAndLocalTimesExistForAnyYear(zone: String) throws {
        let rules = try #require(ZoneRules(identifier: zone))
        for instant in [253_402_300_799, 253_402_300_800, 999_999_999_999, -62_135_596_800] {
            let local = rules.local(instant)
            #expect((0..<1440).contains(local.minutes))
            _ = rules.resolve(local.date, minutes: local.minutes)
        }
        // Daylight saving in a far year still follows the rule: New York in July is UTC−4.
        if zone == "America/New_York" {
            let july = CalendarDate.daysSinceEpoch(year: 12_345, month: 7, day: 1) * 86_400
            #expect(rules.offset(at: july) == -4 * 3600)
        }
    }
}
