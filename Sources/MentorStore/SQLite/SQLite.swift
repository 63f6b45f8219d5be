import CSQLite

/// A value bound to or read from an SQLite statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// Something that can be bound as a statement parameter.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// An error reported by SQLite, with its primary result code.
public struct SQLiteError: Error, Equatable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    /// True when another connection holds the lock past the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
    /// True when a UNIQUE, CHECK, NOT NULL or foreign-key constraint refused a write.
    public var isConstraint: Bool { code & 0xff == SQLITE_CONSTRAINT }

    public var description: String {
        if let sql { return "\(message) (SQLite \(code), in: \(sql.prefix(80)))" }
        return "\(message) (SQLite \(code))"
    }
}

// SQLITE_TRANSIENT tells SQLite to copy bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A row of a result set, valid only inside the closure that receives it.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}

extension SQLiteRow {
    /// Every column of the row by name, as stored (blobs as text).
    func values() -> [(String, SQLValue)] {
        (0..<sqlite3_column_count(statement)).map { column in
            let name = String(cString: sqlite3_column_name(statement, column))
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL: return (name, .null)
            case SQLITE_INTEGER: return (name, .integer(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: return (name, .real(sqlite3_column_double(statement, column)))
            default: return (name, .text(text(column)))
            }
        }
    }
}

/// A prepared statement. Finalized when released.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    unowned let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw connection.error(rc, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds the parameters in order.
    func bind(_ parameters: [any SQLBindable]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch parameter.sqlValue {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let value): rc = sqlite3_bind_int64(handle, index, value)
            case .real(let value): rc = sqlite3_bind_double(handle, index, value)
            case .text(let value): rc = sqlite3_bind_text(handle, index, value, -1, transient)
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
        }
    }

    /// Runs a statement that returns no rows.
    func run(_ parameters: [any SQLBindable] = []) throws {
        try bind(parameters)
        let rc = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw connection.error(rc, sql: sql) }
    }

    /// Steps through every row, handing each to `body`.
    func forEach(_ parameters: [any SQLBindable] = [], _ body: (SQLiteRow) throws -> Void) throws {
        try bind(parameters)
        defer { sqlite3_reset(handle) }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw connection.error(rc, sql: sql) }
            try body(SQLiteRow(statement: handle))
        }
    }

    /// Maps every row to a value.
    func map<T>(_ parameters: [any SQLBindable] = [], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEach(parameters) { row in result.append(try transform(row)) }
        return result
    }
}

/// One connection to an SQLite database file.
///
/// Per-connection settings (`foreign_keys`, `busy_timeout`, `synchronous`) reset on every
/// open, so `init` sets them every time.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    /// How a connection opens its file.
    enum Mode: Sendable {
        /// Read and write; create the file when it does not exist.
        case create
        /// Read and write an existing file only.
        case readWrite
        /// Read an existing file only.
        case readOnly
    }

    init(path: String, mode: Mode = .create, busyTimeoutMilliseconds: Int32 = 5000, synchronousFull: Bool = false) throws {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw SQLiteError(code: rc, message: "\(path): \(message)", sql: nil)
        }
        self.handle = db
        self.path = path
        // Keep the -wal and -shm files when the last connection closes: otherwise every CGI
        // process (usually the only connection) creates, sizes and deletes both (measured:
        // about 0.2 ms of a request, in the kernel).
        var persist: Int32 = 1
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // A kept -wal file must not keep its frames: the next process to open the database
        // is usually the only one, so it rebuilds the WAL index by reading and checksumming
        // every frame (measured: a 330 KB WAL left by `import` cost each CGI request 0.7 ms).
        // Any limit ≥ 0 makes the last connection truncate the WAL to zero bytes after its
        // closing checkpoint; this one also caps it after a checkpoint restarts it.
        try execute("PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 4194304")
        if mode != .readOnly {
            try execute("PRAGMA synchronous = \(synchronousFull ? "FULL" : "NORMAL")")
        }
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Runs one statement with parameters.
    func run(_ sql: String, _ parameters: any SQLBindable...) throws {
        try prepare(sql).run(parameters)
    }

    /// Maps every row of a query.
    func query<T>(_ sql: String, _ parameters: [any SQLBindable] = [], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
        try prepare(sql).map(parameters, transform)
    }

    /// The first column of the first row, or nil when there is no row.
    func scalarInt(_ sql: String, _ parameters: any SQLBindable...) throws -> Int? {
        try prepare(sql).map(parameters) { $0.optionalInt(0) }.first ?? nil
    }

    func scalarText(_ sql: String, _ parameters: any SQLBindable...) throws -> String? {
        try prepare(sql).map(parameters) { $0.optionalText(0) }.first ?? nil
    }

    /// Rows changed by the most recent statement.
    var changes: Int { Int(sqlite3_changes(handle)) }
    /// Rows changed since the connection opened.
    var totalChanges: Int { Int(sqlite3_total_changes(handle)) }

    /// Runs `body` in a write transaction that starts with `BEGIN IMMEDIATE`, so that a
    /// transaction that reads and then writes never fails half-way on a lock.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Copies the whole main database into `destination` with SQLite's online backup API,
    /// all pages in one step: one read transaction of this database, so the copy is one
    /// consistent moment while other processes carry on writing (WAL readers never block
    /// writers), and it never restarts because of them.
    func backup(into destination: SQLiteConnection) throws {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw destination.error(sqlite3_errcode(destination.handle), sql: nil)
        }
        var rc = sqlite3_backup_step(backup, -1)
        var waited = 0
        // Busy or locked: a writer is checkpointing at that instant; try again briefly.
        while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waited < 5000 {
            sqlite3_sleep(50)
            waited += 50
            rc = sqlite3_backup_step(backup, -1)
        }
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            throw SQLiteError(code: rc == SQLITE_DONE ? finish : rc, message: String(cString: sqlite3_errstr(rc == SQLITE_DONE ? finish : rc)), sql: nil)
        }
    }

    /// Runs `body` in a read transaction: one consistent snapshot.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }
}
