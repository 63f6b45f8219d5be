/// A CGI response (RFC 3875 §6): `Status:`, header lines, a blank line, the body, all on
/// stdout. Diagnostics go to stderr, never here.
public struct CGIResponse: Equatable, Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, contentType: String = "text/html; charset=utf-8", body: [UInt8] = [], headers: [(String, String)] = []) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + Self.securityHeaders + headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    public init(status: HTTPStatus = .ok, html: String, headers: [(String, String)] = []) {
        self.init(status: status, body: Array(html.utf8), headers: headers)
    }

    /// A 303 to `location`: after a POST, the browser GETs the next step (refresh-safe).
    public static func redirect(to location: String, headers: [(String, String)] = []) -> CGIResponse {
        CGIResponse(status: .seeOther, contentType: "text/plain; charset=utf-8", body: Array("See the next page.\n".utf8),
                    headers: [("Location", location)] + headers)
    }

    /// Sent with every response: a strict Content-Security-Policy (no inline script, no
    /// framing, forms only to this site), no MIME sniffing, no referrer, never cached.
    public static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' https:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ]

    /// Lets shared caches keep this answer for `seconds` instead of `no-store`: only for
    /// answers that are the same for everyone and read or set no cookie.
    mutating func allowSharedCaching(seconds: Int) {
        headers.removeAll { $0.name == "Cache-Control" }
        headers.append(("Cache-Control", "public, max-age=\(seconds)"))
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The bytes for stdout. Header values lose any CR or LF, so no value can add a header.
    public var serialized: [UInt8] {
        var head = "Status: \(status.code) \(status.reason)\r\n"
        for header in headers {
            // Bytes, not Characters: "\r\n" is one Character and would slip through.
            var value = header.value
            if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
                value = String(decoding: value.utf8.filter { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
            }
            head += header.name + ": " + value + "\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.utf8.count + body.count)
        bytes.append(contentsOf: head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    public static func == (lhs: CGIResponse, rhs: CGIResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure unless on plain-HTTP
/// loopback (a local preview).
public struct Cookie: Sendable, Equatable {
    public var name: String
    public var value: String
    public var path: String
    public var maxAge: Int?
    public var secure: Bool

    public init(name: String, value: String, path: String, maxAge: Int? = nil, secure: Bool = true) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.secure = secure
    }

    public var headerValue: String {
        var text = "\(name)=\(value); Path=\(path); HttpOnly; SameSite=Lax"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if secure { text += "; Secure" }
        return text
    }
}
