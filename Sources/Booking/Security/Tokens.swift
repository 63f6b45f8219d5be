import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore

/// The site's signing key: 32 random bytes in a file outside the web root, mode 0600,
/// created on first use.
public struct SecretKey: Sendable {
    let key: SymmetricKey

    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    /// Reads the key at `path`, creating it (and its folder, mode 0700) when missing.
    /// A key file that others may read is refused: anyone who reads it can forge links.
    public static func loadOrCreate(at path: String) throws(BookingError) -> SecretKey {
        if access(path, F_OK) != 0 {
            let folder = Files.folder(of: path)
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        }
        if access(path, F_OK) != 0 {
            // Written whole to a private temporary file, then linked into place: a second
            // process starting at the same moment either wins the link or reads a complete key.
            let temporary = path + ".tmp-\(getpid())"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw BookingError(.unavailable, "Booking is not configured yet (cannot create the signing key).", retryAfter: 3600)
            }
            let bytes = RandomToken.randomBytes(32)
            let text = Array((bytes.map { hex($0) }.joined() + "\n").utf8)
            let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor) == 0
            close(descriptor)
            defer { unlink(temporary) }
            guard written == text.count, synced, link(temporary, path) == 0 || errno == EEXIST else {
                throw BookingError(.unavailable, "Booking is not configured yet (cannot write the signing key).", retryAfter: 3600)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0,
              let text = Files.readText(path),
              let bytes = parseHex(WebText.trimmed(text)), bytes.count >= 32
        else {
            throw BookingError(.unavailable, "Booking is not configured correctly (the signing key must be 64 hex digits in a file of mode 0600).", retryAfter: 3600)
        }
        return SecretKey(bytes: bytes)
    }

    static func hex(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16)
        return text.count == 1 ? "0" + text : text
    }

    static func parseHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}

/// Signed, expiring tokens for links and forms: `payload.mac`, both base64url. The MAC
/// (HMAC-SHA256) covers a purpose, so a token made for one use (a CSRF form) is refused
/// for another (confirming a booking). Verification compares in constant time.
public enum SignedToken {
    public struct Claims: Equatable, Sendable {
        public var purpose: String
        public var subject: String
        /// Seconds since 1970-01-01T00:00:00Z.
        public var expires: Int
    }

    public static func sign(purpose: String, subject: String, expires: Int, key: SecretKey) -> String {
        let payload = Array("v1|\(purpose)|\(expires)|\(subject)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key.key)
        return base64URL(payload) + "." + base64URL(Array(mac))
    }

    /// A base64url HMAC of `message` for `purpose`: a value only this site can make, stable
    /// for the same input (e.g. a manage token derived from a form's idempotency key).
    public static func mac(purpose: String, message: String, key: SecretKey) -> String {
        base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array("v1|\(purpose)|\(message)".utf8), using: key.key)))
    }

    /// The claims of a valid token for `purpose` that has not expired at `now`.
    public static func verify(_ token: String, purpose: String, now: Int, key: SecretKey) throws(BookingError) -> Claims {
        let invalid = BookingError(.badRequest, "This link or form is not valid. Please start again from the mentor's page.")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 1024, parts.count == 2,
              let payload = decodeBase64URL(String(parts[0])), let mac = decodeBase64URL(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key.key)
        else { throw invalid }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "v1", let expires = Int(fields[2]) else { throw invalid }
        guard fields[1] == purpose else { throw invalid }
        guard now < expires else {
            throw BookingError(.badRequest, "This link or form has expired. Please start again from the mentor's page.")
        }
        return Claims(purpose: String(fields[1]), subject: String(fields[3]), expires: expires)
    }

    static func base64URL(_ bytes: [UInt8]) -> String { WebText.base64URL(bytes) }

    static func decodeBase64URL(_ text: String) -> [UInt8]? { WebText.decodeBase64URL(text) }
}

/// Random bearer tokens (manage links): 128 bits or more from the system's generator;
/// only their SHA-256 is stored, so a database leak gives no working link.
public enum RandomToken {
    public static func generate(bytes count: Int = 24) -> String {
        SignedToken.base64URL(randomBytes(max(16, count)))
    }

    /// Bytes from the system's generator, eight per call (one `getrandom` each, not one per byte).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Array(bytes.prefix(count))
    }

    /// True for text of the shape `generate` makes (22–64 base64url characters): cookies
    /// and links that are not are refused before any database look-up.
    public static func isWellFormed(_ text: String) -> Bool {
        (22...64).contains(text.utf8.count) && SignedToken.decodeBase64URL(text) != nil
    }

    /// Lowercase hex SHA-256 of the token's text.
    public static func digest(_ token: String) -> String {
        WebText.join(SHA256.hash(data: Array(token.utf8)).map { SecretKey.hex($0) })
    }
}
