/// The one error type of the booking CGI: an HTTP status and a message for the person
/// reading the page. Never a stack trace, never a 500 for bad input.
public struct BookingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var message: String
    /// Seconds, for 429 and 503.
    public var retryAfter: Int?
    /// For 303: where the browser goes instead (a page that needs a signed-in person sends
    /// the others to sign in).
    public var location: String?

    public init(_ status: HTTPStatus, _ message: String, retryAfter: Int? = nil, location: String? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.location = location
    }

    public var description: String { "\(status.code) \(status.reason): \(message)" }
}

/// The statuses the booking CGI answers with.
public enum HTTPStatus: Int, Sendable {
    case ok = 200
    case seeOther = 303
    case notModified = 304
    case badRequest = 400
    case unauthorized = 401
    case forbidden = 403
    case notFound = 404
    case methodNotAllowed = 405
    case conflict = 409
    case payloadTooLarge = 413
    case unprocessable = 422
    case tooManyRequests = 429
    case internalError = 500
    case unavailable = 503

    public var code: Int { rawValue }

    public var reason: String {
        switch self {
        case .ok: "OK"
        case .seeOther: "See Other"
        case .notModified: "Not Modified"
        case .badRequest: "Bad Request"
        case .unauthorized: "Unauthorized"
        case .forbidden: "Forbidden"
        case .notFound: "Not Found"
        case .methodNotAllowed: "Method Not Allowed"
        case .conflict: "Conflict"
        case .payloadTooLarge: "Payload Too Large"
        case .unprocessable: "Unprocessable Content"
        case .tooManyRequests: "Too Many Requests"
        case .internalError: "Internal Server Error"
        case .unavailable: "Service Unavailable"
        }
    }
}
