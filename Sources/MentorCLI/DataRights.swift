import Foundation
import MentorCore
import MentorStore

/// `mentorsite backup FILE`: a consistent copy of the live database.
public enum BackupCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, file: String, quiet: Bool) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let target = context.absolute(file)
        guard target != context.absolute(config.database) else {
            throw CommandError("\(file): that is the database itself; name another file")
        }
        let database = try MentorDatabase(path: config.database, create: false)
        let bytes = try database.backup(to: target)
        if !quiet { context.say("\(file): \(bytes) bytes, a consistent copy of \(config.database) (integrity_check ok)") }
        return 0
    }
}

/// `mentorsite patient export EMAIL` and `mentorsite patient erase EMAIL`.
public enum PatientCommand {
    /// Who asked, for the data-rights log: the operator's login name.
    static func actor(_ context: CommandContext) -> String {
        "operator " + (context.environment["SUDO_USER"] ?? context.environment["USER"] ?? context.environment["LOGNAME"] ?? "uid \(getuid())")
    }

    static func address(_ email: String) throws -> String {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddress.isValid(address) else { throw CommandError("\"\(email)\" is not an email address") }
        return address
    }

    /// Prints every row about the patient as one JSON document.
    public static func export(_ context: CommandContext, config flag: String?, flags: PathFlags, email: String) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let address = try address(email)
        let database = try MentorDatabase(path: config.database, create: false)
        let now = try context.now()
        let data = try database.exportPatient(email: address, actor: actor(context), now: now)
        context.say(json(data, email: address, now: now))
        return 0
    }

    public static func erase(_ context: CommandContext, config flag: String?, flags: PathFlags, email: String) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let address = try address(email)
        let database = try MentorDatabase(path: config.database, create: false)
        let report = try database.erasePatient(email: address, actor: actor(context), now: try context.now())
        context.say("erased patient \(report.patientID): \(report.rows) rows changed or removed; their appointments stay, anonymised; the database file was vacuumed")
        return 0
    }

    /// `{"patient_id", "email", "exported_at", "tables": {table: [row, …]}}`, keys sorted.
    static func json(_ data: PatientData, email: String, now: Int) -> String {
        var tables: [String: Any] = [:]
        for (table, rows) in data.tables {
            tables[table] = rows.map { row -> [String: Any] in
                var object: [String: Any] = [:]
                for (column, value) in row {
                    switch value {
                    case .null: object[column] = NSNull()
                    case .integer(let number): object[column] = number
                    case .real(let number): object[column] = number
                    case .text(let text): object[column] = text
                    }
                }
                return object
            }
        }
        let document: [String: Any] = ["patient_id": data.patientID, "email": email, "exported_at": Timestamp.format(secondsSinceEpoch: now), "tables": tables]
        let bytes = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}
