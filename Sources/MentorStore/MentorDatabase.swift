import FoundationEssentials
import MentorCore
#if canImport(Glibc)
import Glibc
#endif

/// The one type that owns the database file: opening it (WAL, foreign keys, busy timeout),
/// migrating it, and every read and write as a whole transaction. The only code that speaks
/// SQL: other modules call its named operations (grouped by concern in this module's
/// folders), never a connection.
public final class MentorDatabase {
    let connection: SQLiteConnection
    /// Prepared statements reused across a transaction's rows.
    private var statements: [String: SQLiteStatement] = [:]
    /// The webhook endpoints (`webhook_url`) of the configuration that opened this database:
    /// every change that makes an event queues one delivery for each, in its transaction.
    public var webhookEndpoints: [String] = []

    /// A cached prepared statement for `sql`.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        // A process that stays (FastCGI) must not grow with every distinct statement.
        if statements.count >= 256 { statements.removeAll() }
        let prepared = try connection.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// Opens (and upgrades) the database at `path`.
    /// - Parameter create: create the file when missing; otherwise a missing file is an error,
    ///   never a silently created empty database.
    public init(path: String, create: Bool, synchronousFull: Bool = false) throws {
        if !create {
            // SQLite takes a zero-byte file for an empty database and would build the schema
            // in it; a program that may not create one must refuse it instead (a truncated or
            // wrongly copied file would otherwise look like a site with no mentors).
            var info = stat()
            guard stat(path, &info) == 0 else { throw StoreError.missingDatabase(path: path) }
            guard info.st_size > 0 else { throw StoreError.notADatabase(path: path) }
        }
        do {
            connection = try SQLiteConnection(path: path, mode: create ? .create : .readWrite, synchronousFull: synchronousFull)
            try connection.execute("PRAGMA journal_mode = WAL")
            try migrate()
        } catch let error as SQLiteError {
            throw StoreError.sqlite(error)
        }
    }

    /// The schema version (migrations applied).
    public var schemaVersion: Int { (try? connection.scalarInt("PRAGMA user_version")) ?? 0 }

    /// Refuses a database that a newer program has migrated since this connection opened
    /// (a persistent process checks before each request).
    public func checkSchemaVersion() throws {
        let version = try wrap { try connection.scalarInt("PRAGMA user_version") ?? 0 }
        if version > Self.migrations.count {
            throw StoreError.newerSchema(path: connection.path, found: version, known: Self.migrations.count)
        }
    }

    /// Writes a consistent copy of the whole database to `path` with SQLite's online backup
    /// API (one read transaction: other processes carry on writing meanwhile). The copy is
    /// written beside `path` under a temporary name, switched out of WAL mode (one
    /// self-contained file), checked with `integrity_check`, flushed to disk, and only then
    /// renamed over `path`: an earlier backup at `path` is replaced by a whole, checked copy
    /// or not at all. Returns the copy's size in bytes.
    @discardableResult
    public func backup(to path: String) throws -> Int {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw StoreError.backup(path: path, problem: "is a folder; name the file to write")
        }
        let temporary = path + ".partial-\(getpid())"
        unlink(temporary)
        // The copy takes the live file's WAL header with its pages; its connection keeps
        // -wal and -shm files (as every connection here does) until it is switched back.
        defer { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) } }
        do {
            let copy = try SQLiteConnection(path: temporary, mode: .create)
            try connection.backup(into: copy)
            try copy.execute("PRAGMA journal_mode = DELETE")
            let problems = try copy.query("PRAGMA integrity_check") { $0.text(0) }.filter { $0 != "ok" }
            guard problems.isEmpty else {
                throw StoreError.backup(path: path, problem: "the copy failed its integrity check: \(problems.prefix(3).joined(separator: "; "))")
            }
        } catch let error as SQLiteError {
            throw StoreError.backup(path: path, problem: error.message)
        }
        let descriptor = open(temporary, O_RDONLY)
        guard descriptor >= 0 else { throw StoreError.backup(path: path, problem: String(cString: strerror(errno))) }
        let synced = fsync(descriptor) == 0
        var written = stat()
        fstat(descriptor, &written)
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            throw StoreError.backup(path: path, problem: String(cString: strerror(errno)))
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let directory = open(folder.isEmpty ? "/" : folder, O_RDONLY)
        if directory >= 0 { fsync(directory); close(directory) }
        return Int(written.st_size)
    }

    // MARK: Checks

    /// Problems SQLite itself finds: `integrity_check` and `foreign_key_check`.
    public func integrityProblems() throws -> [String] {
        try wrap {
            var problems = try connection.query("PRAGMA integrity_check") { $0.text(0) }.filter { $0 != "ok" }
            problems += try connection.query("PRAGMA foreign_key_check") { "foreign key: \($0.text(0)) row \($0.int(1)) → \($0.text(2))" }
            return problems
        }
    }

    /// Runs `body`, turning SQLite errors into `StoreError.sqlite`.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteError { throw StoreError.sqlite(error) }
    }
}
