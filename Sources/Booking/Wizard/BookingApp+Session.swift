import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

extension BookingApp {
    // MARK: Sessions and CSRF

    /// The browser's random session id (a cookie), made on first sight.
    func session(_ request: CGIRequest) -> (id: String, cookie: Cookie?) {
        if let id = request.cookies["bk_session"], RandomToken.isWellFormed(id) {
            return (id, nil)
        }
        let id = RandomToken.generate()
        return (id, Cookie(name: "bk_session", value: id, path: cookiePath, secure: secureCookies(request)))
    }

    var cookiePath: String { pages.paths.bookingPath }

    /// Secure cookies except for a plain-HTTP local preview on 127.0.0.1.
    func secureCookies(_ request: CGIRequest) -> Bool {
        request.isHTTPS || !(request.remoteAddress.hasPrefix("127.") || request.remoteAddress == "::1")
    }

    func csrfToken(session: String) -> String {
        SignedToken.sign(purpose: "csrf", subject: session, expires: now + 4 * 3600, key: key)
    }

    /// Every POST carries a token tied to this browser's session cookie.
    func checkCSRF(_ request: CGIRequest) throws {
        guard let session = request.cookies["bk_session"], let token = request.form["csrf"],
              let claims = try? SignedToken.verify(token, purpose: "csrf", now: now, key: key), claims.subject == session
        else {
            throw BookingError(.forbidden, "This form has expired or was not sent from this browser. Please go back, reload the page and try again.")
        }
    }

    func withSession(_ request: CGIRequest, _ render: (String) throws -> CGIResponse) rethrows -> CGIResponse {
        let (id, cookie) = session(request)
        var response = try render(csrfToken(session: id))
        if let cookie { response.headers.append((name: "Set-Cookie", value: cookie.headerValue)) }
        return response
    }

    func redirect(_ path: String, _ query: String = "") -> CGIResponse {
        CGIResponse.redirect(to: pages.url(path) + (query.isEmpty ? "" : "?" + query))
    }
}
