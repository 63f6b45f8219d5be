import MentorCore
import MentorStore

/// Calendar files for booked sessions (RFC 5545): events with a stable UID, a SEQUENCE that
/// grows with every change of time or status, and a cancelled session that says so
/// (`STATUS:CANCELLED`, and `METHOD:CANCEL` for a single session's file), so that calendar
/// apps update the event they already have instead of keeping a stale one. A booked
/// session carries its join link (`URL`, `LOCATION` and the description). Never notes or
/// health details (not even the topic).
///
/// Held to a real parser (Python's `icalendar`) by the end-to-end tests.
public enum ICalendar {
    public struct Event: Sendable {
        public var appointment: Appointment
        /// What the event is called in the reader's calendar ("Video call with Ana Weber").
        public var summary: String
        public var siteName: String
        /// The site's host, for the UID (`<appointment id>@<host>`).
        public var host: String
        /// The site's contact address (RFC 5546 wants an ORGANIZER); empty: `bookings@<host>`.
        public var organizer: String
        /// How many times the time or status changed since the booking was made.
        public var sequence: Int
        public var now: Int

        public init(appointment: Appointment, summary: String, siteName: String, host: String, organizer: String, sequence: Int, now: Int) {
            self.appointment = appointment
            self.summary = summary
            self.siteName = siteName
            self.host = host
            self.organizer = organizer
            self.sequence = sequence
            self.now = now
        }

        /// "Video call with Ana Weber": the patient's name for the session.
        public init(appointment: Appointment, mentorName: String, siteName: String, host: String, organizer: String, sequence: Int, now: Int) {
            self.init(appointment: appointment, summary: "\(appointment.appointmentType.label) with \(mentorName)", siteName: siteName, host: host,
                      organizer: organizer, sequence: sequence, now: now)
        }

        public var isCancelled: Bool { appointment.status == .cancelled || appointment.status == .expired }
    }

    /// One session's file: `METHOD:CANCEL` once it is cancelled, so that an app that imported
    /// it removes it.
    public static func file(_ event: Event) -> String {
        file([event], method: event.isCancelled ? "CANCEL" : "PUBLISH", name: nil)
    }

    /// A feed of many sessions (a mentor's calendar): published, cancelled ones marked so.
    public static func feed(_ events: [Event], name: String) -> String {
        file(events, method: "PUBLISH", name: name)
    }

    static func file(_ events: [Event], method: String, name: String?) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mentorsite//booking//EN", "CALSCALE:GREGORIAN", "METHOD:" + method]
        if let name {
            // RFC 7986: the calendar's name, and how often apps should look again.
            lines += ["NAME:" + text(name), "X-WR-CALNAME:" + text(name), "REFRESH-INTERVAL;VALUE=DURATION:PT15M"]
        }
        for event in events {
            let appointment = event.appointment
            let status = event.isCancelled ? "CANCELLED" : appointment.status == .pending ? "TENTATIVE" : "CONFIRMED"
            let organizer = event.organizer.isEmpty ? "bookings@" + event.host : event.organizer
            var description = "\(event.siteName): \(appointment.appointmentType.label.lowercased()), \((appointment.end - appointment.start) / 60) minutes."
            let join = Joining.link(of: appointment)
            if let join { description += "\n" + Joining.how(appointment.appointmentType) + "\n" + join }
            lines += [
                "BEGIN:VEVENT",
                "UID:" + appointment.id + "@" + event.host,
                "SEQUENCE:" + String(event.sequence),
                "DTSTAMP:" + utc(event.now),
                "DTSTART:" + utc(appointment.start),
                "DTEND:" + utc(appointment.end),
                "SUMMARY:" + text(event.summary),
                "DESCRIPTION:" + text(description),
                "ORGANIZER;CN=" + parameter(event.siteName) + ":mailto:" + organizer,
                "STATUS:" + status,
            ]
            // URL is a URI (RFC 5545 §3.8.4.6), not TEXT-escaped: written only when the link
            // has nothing but URI characters (a mentor's own room address may not).
            if let join {
                if isURI(join) { lines.append("URL:" + join) }
                lines.append("LOCATION:" + text(join))
            }
            lines += [
                "TRANSP:" + (event.isCancelled ? "TRANSPARENT" : "OPAQUE"),
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        var out = ""
        for line in lines { out += fold(line) }
        return out
    }

    /// True when every character is one RFC 3986 allows in a URI.
    static func isURI(_ value: String) -> Bool {
        value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "-._~:/?#[]@!$&'()*+,;=%".utf8.contains(byte)
            }
        }
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
