import FoundationEssentials
import MentorCore

extension MentorDatabase {
    /// Counts one attempt against `key` in the current fixed window. Returns the seconds to
    /// wait when the limit was already reached (the attempt is then not counted).
    public func rateLimit(_ key: String, limit: Int, window: Int, now: Int) throws -> Int? {
        let start = now - now % window
        return try wrap {
            try connection.writeTransaction { () throws -> Int? in
                let count = try connection.scalarInt("SELECT count FROM rate_limits WHERE key = ? AND window_start = ?", key, start) ?? 0
                if count >= limit { return start + window - now }
                try countAttempt(key, windowStart: start, window: window)
                return nil
            }
        }
    }

    /// Adds one attempt to `key`'s window; old windows are of no use, and a few are dropped
    /// on every write.
    func countAttempt(_ key: String, windowStart: Int, window: Int) throws {
        try statement("""
            INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1
            """).run([key, windowStart])
        try statement("DELETE FROM rate_limits WHERE rowid IN (SELECT rowid FROM rate_limits WHERE window_start < ? LIMIT 20)").run([windowStart - window])
    }
}
