import MentorCore
import MentorStore

/// Calendar files for booked sessions (RFC 5545): one event with a stable UID, a SEQUENCE
/// that grows with every change of time or status, and a cancelled session's file that
/// says so (`METHOD:CANCEL`, `STATUS:CANCELLED`), so that calendar apps update the event
/// they already have instead of keeping a stale one. Never notes or health details.
///
/// Held to a real parser (Python's `icalendar`) by the end-to-end tests.
public enum ICalendar {
    public struct Event: Sendable {
        public var appointment: Appointment
        public var mentorName: String
        public var siteName: String
        /// The site's host, for the UID (`<appointment id>@<host>`).
        public var host: String
        /// The site's contact address (RFC 5546 wants an ORGANIZER); empty: `bookings@<host>`.
        public var organizer: String
        /// How many times the time or status changed since the booking was made.
        public var sequence: Int
        public var now: Int

        public init(appointment: Appointment, mentorName: String, siteName: String, host: String, organizer: String, sequence: Int, now: Int) {
            self.appointment = appointment
            self.mentorName = mentorName
            self.siteName = siteName
            self.host = host
            self.organizer = organizer
            self.sequence = sequence
            self.now = now
        }

        public var isCancelled: Bool { appointment.status == .cancelled || appointment.status == .expired }
    }

    /// The whole file, CRLF line ends, content lines folded at 75 octets.
    public static func file(_ event: Event) -> String {
        let appointment = event.appointment
        let type = appointment.appointmentType.label
        let status = event.isCancelled ? "CANCELLED" : appointment.status == .scheduled ? "CONFIRMED" : "TENTATIVE"
        let organizer = event.organizer.isEmpty ? "bookings@" + event.host : event.organizer
        let lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//mentorsite//booking//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:" + (event.isCancelled ? "CANCEL" : "PUBLISH"),
            "BEGIN:VEVENT",
            "UID:" + appointment.id + "@" + event.host,
            "SEQUENCE:" + String(event.sequence),
            "DTSTAMP:" + utc(event.now),
            "DTSTART:" + utc(appointment.start),
            "DTEND:" + utc(appointment.end),
            "SUMMARY:" + text("\(type) with \(event.mentorName)"),
            "DESCRIPTION:" + text("\(event.siteName): \(type.lowercased()) with \(event.mentorName)."),
            "ORGANIZER;CN=" + parameter(event.siteName) + ":mailto:" + organizer,
            "STATUS:" + status,
            "TRANSP:" + (event.isCancelled ? "TRANSPARENT" : "OPAQUE"),
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        var out = ""
        for line in lines { out += fold(line) }
        return out
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped; every line
    /// break (CR LF, CR or LF: Swift counts CR LF as one `Character`, so this works on
    /// scalars) becomes `\n`; other control characters are dropped.
    public static func text(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in value.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\\", ";", ",":
                out.append("\\")
                out.append(scalar)
            case "\r":
                out.append("\\")
                out.append("n")
            case "\n":
                if !previousCR {
                    out.append("\\")
                    out.append("n")
                }
            default:
                if scalar.properties.generalCategory == .control { continue }
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// A parameter value: quoted, without the characters a quoted value cannot hold.
    static func parameter(_ value: String) -> String {
        "\"" + String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\"" && $0.properties.generalCategory != .control })) + "\""
    }

    /// `20261130T090000Z`.
    static func utc(_ instant: Int) -> String {
        var text = ""
        for byte in Timestamp.format(secondsSinceEpoch: instant).utf8 where byte != UInt8(ascii: "-") && byte != UInt8(ascii: ":") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        }
        return text
    }

    /// One content line folded at 75 octets (RFC 5545 §3.1): CRLF and a space before each
    /// further piece, never inside a UTF-8 sequence.
    public static func fold(_ line: String) -> String {
        var out = ""
        var width = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if width + size > limit {
                out += "\r\n "
                width = 0
                limit = 74  // the leading space counts
            }
            out.unicodeScalars.append(scalar)
            width += size
        }
        return out + "\r\n"
    }
}
