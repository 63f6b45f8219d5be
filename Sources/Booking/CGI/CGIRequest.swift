import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore

/// One CGI request (RFC 3875), parsed from a plain dictionary and bytes so that tests need
/// no process environment. Only `current(maximumBody:)` reads the real environment and
/// stdin. `HTTP_PROXY` (the client's `Proxy:` header, "httpoxy") is never read.
public struct CGIRequest: Equatable, Sendable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", post = "POST" }

    public var method: Method
    /// The path below the script, normalised: `""`, `/slots`, `/confirm` …
    public var pathInfo: String
    public var query: FormData
    /// The decoded body of a form POST; empty otherwise.
    public var form: FormData
    public var cookies: [String: String]
    public var remoteAddress: String
    /// Set by the web server after it authenticated the user (the mentor dashboard).
    public var remoteUser: String?
    public var isHTTPS: Bool
    public var host: String?
    /// Where the script is mounted, e.g. `/cgi-bin/book`.
    public var scriptName: String
    /// The `If-None-Match` header: ETags the client has cached.
    public var ifNoneMatch: String?
    /// The `Authorization` header (the API's bearer tokens; Apache passes it to a CGI only
    /// with `CGIPassAuth On`).
    public var authorization: String?

    /// Largest accepted body; larger requests get 413 before a byte is read.
    public static let defaultMaximumBody = 64 * 1024

    public init(environment: [String: String], body: [UInt8], maximumBody: Int = CGIRequest.defaultMaximumBody) throws(BookingError) {
        guard let methodName = environment["REQUEST_METHOD"], !methodName.isEmpty else {
            throw BookingError(.badRequest, "The request has no method.")
        }
        guard let method = Method(rawValue: methodName) else {
            throw BookingError(.methodNotAllowed, "The method \(methodName.prefix(16)) is not allowed here.")
        }
        self.method = method
        self.pathInfo = try Self.normalise(pathInfo: environment["PATH_INFO"] ?? "")
        self.query = try FormData(urlEncoded: Array((environment["QUERY_STRING"] ?? "").utf8))
        self.cookies = Self.parseCookies(environment["HTTP_COOKIE"] ?? "")
        self.remoteAddress = environment["REMOTE_ADDR"] ?? ""
        self.remoteUser = environment["REMOTE_USER"].flatMap { $0.isEmpty ? nil : $0 }
        self.isHTTPS = (environment["HTTPS"] ?? "").lowercased() == "on" || environment["REQUEST_SCHEME"] == "https"
        self.host = environment["HTTP_HOST"]
        self.scriptName = environment["SCRIPT_NAME"] ?? ""
        self.ifNoneMatch = environment["HTTP_IF_NONE_MATCH"]
        self.authorization = environment["HTTP_AUTHORIZATION"]

        let length = try Self.contentLength(environment["CONTENT_LENGTH"], maximum: maximumBody)
        if method == .post {
            guard let length else { throw BookingError(.badRequest, "A form submission must say how long it is (Content-Length).") }
            guard body.count >= length else { throw BookingError(.badRequest, "The request body is shorter than its Content-Length.") }
            let type = (environment["CONTENT_TYPE"] ?? "").split(separator: ";").first.map { WebText.trimmed($0).lowercased() } ?? ""
            guard type == "application/x-www-form-urlencoded" else {
                throw BookingError(.badRequest, "Forms must be sent as application/x-www-form-urlencoded.")
            }
            // Never read past CONTENT_LENGTH: anything after it is not part of this request.
            self.form = try FormData(urlEncoded: body.prefix(length))
        } else {
            self.form = FormData()
        }
    }

    /// The request in `environment` (the process's) with exactly `CONTENT_LENGTH` bytes of stdin.
    public static func current(environment: [String: String], maximumBody: Int = CGIRequest.defaultMaximumBody) throws(BookingError) -> CGIRequest {
        var body: [UInt8] = []
        if environment["REQUEST_METHOD"] == "POST", let length = try contentLength(environment["CONTENT_LENGTH"], maximum: maximumBody), length > 0 {
            body = readStandardInput(upTo: length)
        }
        return try CGIRequest(environment: environment, body: body, maximumBody: maximumBody)
    }

    /// How long a request body may take to arrive, all of it: a client that announces more
    /// than it sends must not keep a process waiting until the server gives up.
    public static let readDeadlineMilliseconds = 10_000

    /// Reads up to `length` bytes of `descriptor` (stdin), stopping at end of input or when
    /// `deadline` milliseconds have passed; a short body is then refused as such.
    static func readStandardInput(upTo length: Int, descriptor: Int32 = 0, deadline: Int = readDeadlineMilliseconds) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: length)
        var offset = 0
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while offset < length {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1_000_000
            guard elapsed < deadline else { break }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&waiting, 1, Int32(deadline - elapsed))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let count = body.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + offset, length - offset) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            offset += count
        }
        return Array(body.prefix(offset))
    }

    /// Digits only (`Int("+10")` would accept a sign), at most `maximum`.
    static func contentLength(_ text: String?, maximum: Int) throws(BookingError) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw BookingError(.badRequest, "The Content-Length is not a number.")
        }
        // Any number of digits is a number; past 12 it is also far too large.
        guard let length = Int(plainDigits: text), length <= maximum else {
            throw BookingError(.payloadTooLarge, "The request is larger than \(maximum / 1024) KB.")
        }
        return length
    }

    /// Refuses `..`, `.`, empty segments (`//`), backslashes and control characters.
    static func normalise(pathInfo: String) throws(BookingError) -> String {
        guard !pathInfo.isEmpty, pathInfo != "/" else { return "" }
        guard pathInfo.hasPrefix("/"), !pathInfo.contains("\\"), pathInfo.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw BookingError(.notFound, "There is no such page.")
        }
        var path = pathInfo
        if path.hasSuffix("/") { path.removeLast() }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw BookingError(.notFound, "There is no such page.")
        }
        return path
    }

    /// `name=value; name2=value2` (RFC 6265 §5.4); the first of a repeated name wins.
    static func parseCookies(_ header: String) -> [String: String] {
        var cookies: [String: String] = [:]
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = WebText.trimmed(pair[0])
            var value = WebText.trimmed(pair[1])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if !name.isEmpty, cookies[name] == nil { cookies[name] = value }
        }
        return cookies
    }
}
