/// Errors of the storage layer, phrased for the person running the command.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case missingDatabase(path: String)
    /// A file that exists but holds no mentorsite database (empty, or another SQLite file).
    case notADatabase(path: String)
    case newerSchema(path: String, found: Int, known: Int)
    case olderSchema(path: String, found: Int, known: Int)
    case slugTaken(slug: String, sourcePath: String, owner: String)
    case sqlite(SQLiteError)
    case backup(path: String, problem: String)
    /// No patient has this address (data-rights commands).
    case unknownPatient(email: String)
    case patientHasUpcomingSessions(email: String, count: Int)

    public var description: String {
        switch self {
        case .missingDatabase(let path):
            "\(path): no such database; run `mentorsite import` first"
        case .notADatabase(let path):
            "\(path): not a mentorsite database (the file is empty or holds something else); run `mentorsite import` to create one elsewhere, or restore a backup"
        case .newerSchema(let path, let found, let known):
            "\(path): database schema version \(found) is newer than this mentorsite knows (\(known)); upgrade mentorsite"
        case .olderSchema(let path, let found, let known):
            "\(path): database schema version \(found) is older than \(known); run `mentorsite import` to upgrade it"
        case .slugTaken(let slug, let sourcePath, let owner):
            "\(sourcePath): slug: \"\(slug)\" is already used by \(owner)"
        case .sqlite(let error):
            "database: \(error)"
        case .backup(let path, let problem):
            "\(path): backup not written: \(problem)"
        case .unknownPatient(let email):
            "no patient has the address \(email)"
        case .patientHasUpcomingSessions(let email, let count):
            "\(email) has \(count) session\(count == 1 ? "" : "s") still to come; cancel \(count == 1 ? "it" : "them") first (nothing was erased)"
        }
    }
}
