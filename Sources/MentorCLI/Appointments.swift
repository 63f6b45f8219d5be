import Booking
import Foundation
import MentorCore
import MentorStore

/// `mentorsite appointments`: the appointments, for mentors and site owners.
public enum AppointmentsCommand {
    public enum Format: String, CaseIterable, Sendable { case table, csv, json }

    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, mentor: String?, from: String?, format: Format) throws {
        let config = try context.configuration(flag: flag, flags: flags)
        var start: Int?
        if let from {
            guard let date = CalendarDate(from) else { throw CommandError("--from must be a real date YYYY-MM-DD, not \"\(from)\"") }
            start = date.daysSinceEpoch * 86_400
        }
        let database = try MentorDatabase(path: config.database, create: false)
        let text = render(try database.listAppointments(mentorSlug: mentor, from: start), as: format)
        context.say(String(text.dropLast()))
    }

    static let header = ["start (UTC)", "mentor", "local date", "local time", "time zone", "minutes", "type", "status", "patient", "email", "phone", "payment"]

    /// "cancelled by mentor", "no_show", …
    static func status(_ row: AppointmentListing) -> String {
        row.cancelledBy.map { "\(row.status) by \($0)" } ?? row.status
    }

    /// The listing as a table, RFC 4180 CSV or JSON (ending in a line break).
    public static func render(_ rows: [AppointmentListing], as format: Format) -> String {
        let values = rows.map { [$0.start, $0.mentorSlug, $0.localDate, $0.localStart, $0.timezone, String($0.minutes), $0.type, status($0),
                                 $0.patientName, $0.patientEmail, $0.patientPhone ?? "", $0.payment.map(PaymentSettlement.describe) ?? ""] }
        switch format {
        case .csv:
            return CSV.document([header] + values)
        case .json:
            let objects = rows.map { row -> [String: String] in
                var object = ["id": row.id, "start": row.start, "mentor": row.mentorSlug, "local_date": row.localDate, "local_time": row.localStart,
                              "timezone": row.timezone, "minutes": String(row.minutes), "type": row.type, "status": row.status,
                              "patient_name": row.patientName, "patient_email": row.patientEmail]
                if let phone = row.patientPhone { object["patient_phone"] = phone }
                if let by = row.cancelledBy { object["cancelled_by"] = by }
                if let payment = row.payment {
                    object["payment"] = PaymentSettlement.describe(payment)
                    object["payment_status"] = payment.status.rawValue
                    object["payment_currency"] = payment.currency
                    object["paid_minor"] = String(payment.netMinor)
                    object["refunded_minor"] = String(payment.refundedMinor)
                }
                return object
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: (try? encoder.encode(objects)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
        case .table:
            if rows.isEmpty { return "No appointments.\n" }
            let table = [header] + values
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            return table.map { row in
                row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n") + "\n"
        }
    }
}
