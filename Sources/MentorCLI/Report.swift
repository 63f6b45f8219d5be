import Foundation
import MentorCore
import MentorStore
import TemplateEngine

/// `mentorsite report`: how the site is used, as a self-contained HTML page with inline SVG
/// charts or as CSV. Aggregates only: counts and rates by week, mentor, specialty, hour and
/// weekday, never a patient.
public enum ReportCommand {
    public enum Format: String, CaseIterable, Sendable { case html, csv }

    /// The figures of one period.
    struct Figures {
        var from: CalendarDate
        var to: CalendarDate
        /// Sessions booked (every status but an expired hold) per ISO week, mentor, specialty.
        var perWeek: [(String, Int)] = []
        var perMentor: [(String, Int)] = []
        var perSpecialty: [(String, Int)] = []
        var booked = 0
        var cancelled = 0
        /// Sessions that have taken place or were missed: completed, no-show.
        var held = 0
        var noShows = 0
        /// Days between booking and start, in buckets, and the median.
        var leadTime: [(String, Int)] = []
        var medianLeadHours: Int?
        /// Starts by the mentor's local hour, and by weekday.
        var byHour: [(String, Int)] = []
        var byWeekday: [(String, Int)] = []
        /// Booked hours over offered hours, per mentor (offered: weekly hours in the period,
        /// minus blocked dates), and in all.
        var utilisation: [(String, booked: Double, offered: Double)] = []

        var cancellationRate: Double? { booked == 0 ? nil : Double(cancelled) / Double(booked) }
        var noShowRate: Double? { held == 0 ? nil : Double(noShows) / Double(held) }
    }

    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, from: String?, to: String?, output: String?, format: Format) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let now = try context.now()
        let today = CalendarDate(daysSinceEpoch: now / 86_400)
        func date(_ text: String?, _ name: String, default value: CalendarDate) throws -> CalendarDate {
            guard let text else { return value }
            guard let date = CalendarDate(text) else { throw CommandError("--\(name) must be a real date YYYY-MM-DD, not \"\(text)\"") }
            return date
        }
        let start = try date(from, "from", default: today.adding(days: -83))
        let end = try date(to, "to", default: today)
        guard start <= end else { throw CommandError("--from (\(start)) must not be after --to (\(end))") }
        guard end.daysSinceEpoch - start.daysSinceEpoch <= 3660 else { throw CommandError("a report covers at most ten years") }
        let database = try MentorDatabase(path: config.database, create: false)
        let figures = try compute(database: database, from: start, to: end, now: now)
        let text = format == .csv ? csv(figures) : html(figures, siteName: config.siteName, generated: Timestamp.format(secondsSinceEpoch: now))
        if let output {
            let failure = Files.replace(context.absolute(output), with: Array(text.utf8))
            guard failure == 0 else { throw CommandError("\(output): cannot write the report: \(String(cString: strerror(failure)))") }
            context.say("\(output): \(figures.booked) sessions from \(start) to \(end)")
        } else {
            context.say(String(text.dropLast()))
        }
        return 0
    }

    /// The period is [from, to] in whole UTC days.
    static func compute(database: MentorDatabase, from: CalendarDate, to: CalendarDate, now: Int) throws -> Figures {
        let fromInstant = from.daysSinceEpoch * 86_400
        let toInstant = (to.daysSinceEpoch + 1) * 86_400
        let appointments = try database.reportAppointments(from: fromInstant, to: toInstant, now: now)
        let mentors = try database.reportMentors()
        let names = Dictionary(mentors.map { ($0.id, $0.profile.name) }, uniquingKeysWith: { first, _ in first })
        var figures = Figures(from: from, to: to)

        func counted<K: Hashable>(_ keys: [K]) -> [K: Int] { keys.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
        // Weeks run Monday to Sunday, named by their Monday; every week of the period shows.
        func monday(_ date: CalendarDate) -> CalendarDate { date.adding(days: -((date.weekday.rawValue + 6) % 7)) }
        let weeks = counted(appointments.compactMap { CalendarDate($0.localDate).map(monday) })
        var week = monday(from)
        while week <= to {
            figures.perWeek.append((week.description, weeks[week] ?? 0))
            week = week.adding(days: 7)
        }
        figures.perMentor = counted(appointments.map { names[$0.mentorID] ?? "(unknown)" }).sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        figures.perSpecialty = counted(appointments.map { $0.specialty ?? "(none chosen)" }).sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        figures.booked = appointments.count
        figures.cancelled = appointments.filter { $0.status == AppointmentStatus.cancelled.rawValue }.count
        figures.held = appointments.filter { $0.status == AppointmentStatus.completed.rawValue || $0.status == AppointmentStatus.noShow.rawValue }.count
        figures.noShows = appointments.filter { $0.status == AppointmentStatus.noShow.rawValue }.count

        let leads = appointments.map { max(0, $0.start - $0.createdAt) }.sorted()
        if !leads.isEmpty { figures.medianLeadHours = leads[leads.count / 2] / 3600 }
        let buckets: [(String, Int)] = [("under 1 day", 86_400), ("1–3 days", 3 * 86_400), ("3–7 days", 7 * 86_400), ("1–2 weeks", 14 * 86_400),
                                        ("2–4 weeks", 28 * 86_400), ("4 weeks or more", Int.max)]
        figures.leadTime = buckets.enumerated().map { index, bucket in
            let lower = index == 0 ? 0 : buckets[index - 1].1
            return (bucket.0, leads.filter { $0 >= lower && $0 < bucket.1 }.count)
        }
        let hours = counted(appointments.compactMap { Int($0.localStart.prefix(2)) })
        figures.byHour = (0..<24).map { (String(format: "%02d", $0), hours[$0] ?? 0) }
        let weekdays = counted(appointments.compactMap { CalendarDate($0.localDate)?.weekday })
        figures.byWeekday = [Weekday.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday].map { (String($0.name.prefix(3)).capitalized, weekdays[$0] ?? 0) }

        // Utilisation: booked hours (sessions that held their time) over the hours offered.
        let holding: Set<String> = [AppointmentStatus.scheduled.rawValue, AppointmentStatus.completed.rawValue, AppointmentStatus.noShow.rawValue]
        var bookedSeconds: [String: Int] = [:]
        for appointment in appointments where holding.contains(appointment.status) {
            bookedSeconds[appointment.mentorID, default: 0] += appointment.end - appointment.start
        }
        for mentor in mentors.sorted(by: { $0.profile.name < $1.profile.name }) {
            let blocked = mentor.allBlockedDates
            var offeredMinutes = 0
            var day = from
            while day <= to {
                if !blocked.contains(day) {
                    for window in mentor.profile.availability where window.day == day.weekday {
                        offeredMinutes += window.end.minutes - window.start.minutes
                    }
                }
                day = day.adding(days: 1)
            }
            let booked = Double(bookedSeconds[mentor.id] ?? 0) / 3600
            if offeredMinutes > 0 || booked > 0 {
                figures.utilisation.append((mentor.profile.name, booked, Double(offeredMinutes) / 60))
            }
        }
        return figures
    }

    // MARK: CSV

    /// A cell a spreadsheet takes as text: one that starts with =, +, -, @, a tab or a
    /// carriage return gets a leading apostrophe (OWASP's CSV-injection rule), so a
    /// mentor named "=HYPERLINK(…)" stays a name; then RFC 4180 quoting.
    static func cell(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return CSV.field(text) }
        return CSV.field("'" + text)
    }

    static func rate(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "" }

    static func csv(_ f: Figures) -> String {
        var rows: [[String]] = [["section", "key", "value", "of"]]
        rows.append(["period", "from", f.from.description, ""])
        rows.append(["period", "to", f.to.description, ""])
        rows += f.perWeek.map { ["bookings per week", $0.0, String($0.1), ""] }
        rows += f.perMentor.map { ["bookings by mentor", $0.0, String($0.1), ""] }
        rows += f.perSpecialty.map { ["bookings by specialty", $0.0, String($0.1), ""] }
        rows.append(["cancellation rate", "cancelled of booked", rate(f.cancellationRate), String(f.booked)])
        rows.append(["no-show rate", "no-shows of sessions held or missed", rate(f.noShowRate), String(f.held)])
        rows += f.leadTime.map { ["lead time", $0.0, String($0.1), ""] }
        rows.append(["lead time", "median hours", f.medianLeadHours.map(String.init) ?? "", ""])
        rows += f.byHour.map { ["starts by local hour", $0.0, String($0.1), ""] }
        rows += f.byWeekday.map { ["starts by weekday", $0.0, String($0.1), ""] }
        rows += f.utilisation.map { ["utilisation", $0.0, $0.offered > 0 ? String(format: "%.3f", $0.booked / $0.offered) : "", String(format: "%.1f", $0.offered)] }
        return CSV.document(rows, field: cell)
    }

    // MARK: HTML

    /// A horizontal bar chart as inline SVG, with its numbers in text for screen readers and
    /// for print.
    static func barChart(id: String, title: String, bars: [(String, Double)], format: (Double) -> String = { String(Int($0)) }) -> String {
        let rowHeight = 22, labelWidth = 200, barWidth = 420, height = max(1, bars.count) * rowHeight + 8
        let top = max(bars.map(\.1).max() ?? 0, 0.0001)
        var svg = "<svg role=\"img\" aria-labelledby=\"\(id)\" viewBox=\"0 0 \(labelWidth + barWidth + 80) \(height)\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(id)\">\(HTML.escape(title))</title>"
        for (index, bar) in bars.enumerated() {
            let y = 4 + index * rowHeight
            let width = Int((bar.1 / top) * Double(barWidth))
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(HTML.escape(String(bar.0.prefix(32))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(max(width, bar.1 > 0 ? 1 : 0))\" height=\"15\" rx=\"2\"></rect>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 15)\">\(HTML.escape(format(bar.1)))</text>"
        }
        return svg + "</svg>"
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "no sessions" }

    static func html(_ f: Figures, siteName: String, generated: String) -> String {
        let utilisationTotal = f.utilisation.reduce((0.0, 0.0)) { ($0.0 + $1.booked, $0.1 + $1.offered) }
        var body = ""
        body += "<h1>\(HTML.escape(siteName)): bookings from \(f.from) to \(f.to)</h1>\n"
        body += "<p class=\"lead\">\(f.booked) sessions booked in the period (holds that ran out left out). Aggregates only: no patient appears in this report. Made \(generated).</p>\n"
        body += "<dl class=\"figures\">"
        body += "<div><dt>Cancellation rate</dt><dd>\(percent(f.cancellationRate)) <small>(\(f.cancelled) of \(f.booked))</small></dd></div>"
        body += "<div><dt>No-show rate</dt><dd>\(percent(f.noShowRate)) <small>(\(f.noShows) of \(f.held) held or missed)</small></dd></div>"
        body += "<div><dt>Median lead time</dt><dd>\(f.medianLeadHours.map { $0 >= 48 ? "\($0 / 24) days" : "\($0) hours" } ?? "none")</dd></div>"
        body += "<div><dt>Utilisation</dt><dd>\(utilisationTotal.1 > 0 ? percent(utilisationTotal.0 / utilisationTotal.1) : "no hours offered") <small>(\(String(format: "%.1f", utilisationTotal.0)) of \(String(format: "%.1f", utilisationTotal.1)) hours)</small></dd></div>"
        body += "</dl>\n"
        func section(_ id: String, _ title: String, _ chart: String) {
            body += "<section aria-labelledby=\"\(id)-h\"><h2 id=\"\(id)-h\">\(HTML.escape(title))</h2>\(chart)</section>\n"
        }
        section("weeks", "Bookings per week (weeks from Monday)", barChart(id: "weeks-t", title: "Bookings per week", bars: f.perWeek.map { ($0.0, Double($0.1)) }))
        section("mentors", "Bookings by mentor", barChart(id: "mentors-t", title: "Bookings by mentor", bars: f.perMentor.map { ($0.0, Double($0.1)) }))
        section("specialties", "Bookings by specialty", barChart(id: "specialties-t", title: "Bookings by specialty", bars: f.perSpecialty.map { ($0.0, Double($0.1)) }))
        section("lead", "Lead time: from booking to session", barChart(id: "lead-t", title: "Lead time", bars: f.leadTime.map { ($0.0, Double($0.1)) }))
        section("hours", "Busiest hours (the mentor's local time)", barChart(id: "hours-t", title: "Sessions by starting hour", bars: f.byHour.map { ($0.0 + ":00", Double($0.1)) }))
        section("weekdays", "Busiest weekdays", barChart(id: "weekdays-t", title: "Sessions by weekday", bars: f.byWeekday.map { ($0.0, Double($0.1)) }))
        section("utilisation", "Utilisation: booked hours over offered hours", barChart(id: "utilisation-t", title: "Utilisation by mentor",
                bars: f.utilisation.map { ($0.0, $0.offered > 0 ? $0.booked / $0.offered : 0) }, format: { String(format: "%.0f%%", $0 * 100) }))
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>\(HTML.escape(siteName)) report, \(f.from) to \(f.to)</title>
            <style>
            body { font: 16px/1.5 system-ui, sans-serif; color: #1f2933; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
            h2 { margin-top: 2rem; font-size: 1.2rem; }
            .lead, small { color: #52606d; }
            .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; }
            .figures div { border: 1px solid #e3e0d8; border-radius: 8px; padding: .75rem; }
            dt { color: #52606d; font-size: .9rem; } dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
            svg text { font: 12px system-ui, sans-serif; fill: #1f2933; } svg rect { fill: #2f6f73; }
            </style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }
}
