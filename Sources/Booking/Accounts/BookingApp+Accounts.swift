import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// Signing in: `/sign-in` mails a single-use link to a mentor's or a patient's address
/// (the same answer either way); the link's GET shows a button (mail scanners open every
/// link), its POST opens a session: a signed HttpOnly cookie naming a session the database
/// keeps, so that signing out ends it.
extension BookingApp {
    static let signInLinkLifetime = 30 * 60
    static let sessionLifetime: [AccountKind: Int] = [.mentor: 14 * 86_400, .patient: 90 * 86_400]

    /// The person this browser is signed in as.
    func currentAccount(_ request: CGIRequest) throws -> Account? {
        guard let cookie = request.cookies["bk_account"],
              let claims = try? SignedToken.verify(cookie, purpose: "account", now: now, key: key), RandomToken.isWellFormed(claims.subject)
        else { return nil }
        return try database.account(sessionHash: RandomToken.digest(claims.subject), now: now)
    }

    /// A new session for `account`, and the cookie that carries it.
    func accountCookie(sessionID: String, kind: AccountKind, request: CGIRequest) -> (name: String, value: String) {
        let lifetime = Self.sessionLifetime[kind] ?? 86_400
        let token = SignedToken.sign(purpose: "account", subject: sessionID, expires: now + lifetime, key: key)
        return ("Set-Cookie", Cookie(name: "bk_account", value: token, path: cookiePath, maxAge: lifetime, secure: secureCookies(request)).headerValue)
    }

    /// Where a person lands once signed in.
    func home(of account: Account) -> String {
        account.kind == .mentor ? "/dashboard" : "/sessions"
    }

    // MARK: Pages

    /// The form (one email field), or, for a link from a mail, the button that signs in.
    func showSignIn(_ request: CGIRequest, email: String = "", error: String? = nil, sent: Bool = false) throws -> CGIResponse {
        if let token = request.query["token"] {
            guard RandomToken.isWellFormed(token), let account = try database.signInLink(tokenHash: RandomToken.digest(token), now: now) else {
                throw BookingError(.badRequest, "This sign-in link has expired or was used already. Ask for a new one on the sign-in page.")
            }
            return withSession(request) { csrf in
                pages.page("booking/sign-in-link", title: "Sign in", values: [
                    "title": "Sign in", "csrf": .text(csrf), "token": .text(token), "action": .text(pages.url("/sign-in")),
                    "name": .text(account.name),
                ])
            }
        }
        return withSession(request) { csrf in
            var values: [String: TemplateValue] = [
                "title": "Sign in", "csrf": .text(csrf), "action": .text(pages.url("/sign-in")), "email": .text(email),
                "sent": .flag(sent), "minutes": .text(String(Self.signInLinkLifetime / 60)),
                "has_errors": .flag(error != nil), "errors": .list(error.map { [["field": "email", "message": .text($0)]] } ?? []),
            ]
            values.setOptional("error_email", error)
            return pages.page("booking/sign-in", title: "Sign in", status: error == nil ? .ok : .unprocessable, values: values)
        }
    }

    /// POST `/sign-in`: an address (mail a link) or a link's token (sign in).
    func signIn(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        if let token = request.form["token"] { return try useSignInLink(token, request: request) }
        let email = WebText.trimmingWhitespace(request.form["email"] ?? "").lowercased()
        guard EmailAddress.isValid(email) else {
            return try showSignIn(request, email: request.form["email"] ?? "", error: "Enter one email address, like name@example.org.")
        }
        for (limitKey, limit) in [("sign-in-ip:" + request.remoteAddress, 20), ("sign-in:" + email, 5)] {
            if let wait = try database.rateLimit(limitKey, limit: limit, window: 3600, now: now) {
                throw BookingError(.tooManyRequests, "Too many sign-in links asked for. Please try again in \(max(1, wait / 60)) minutes.", retryAfter: wait)
            }
        }
        // The same answer whether or not the address is known: nobody learns who is a
        // patient here by asking.
        if let account = try database.account(email: email) {
            let token = RandomToken.generate()
            let mail = try mails.signIn(account, link: pages.absoluteURL("/sign-in") + "?token=" + token, minutes: Self.signInLinkLifetime / 60)
            try database.createSignInLink(for: account, tokenHash: RandomToken.digest(token), now: now, lifetime: Self.signInLinkLifetime, mail: mail)
        }
        return try showSignIn(request, email: email, sent: true)
    }

    func useSignInLink(_ token: String, request: CGIRequest) throws -> CGIResponse {
        let sessionID = RandomToken.generate()
        guard RandomToken.isWellFormed(token), let kind = try database.signInLink(tokenHash: RandomToken.digest(token), now: now)?.kind,
              let account = try database.signIn(tokenHash: RandomToken.digest(token), sessionHash: RandomToken.digest(sessionID), now: now,
                                                sessionLifetime: Self.sessionLifetime[kind] ?? 86_400)
        else {
            throw BookingError(.conflict, "This sign-in link has expired or was used already. Ask for a new one on the sign-in page.")
        }
        var response = redirect(home(of: account))
        response.headers.append(accountCookie(sessionID: sessionID, kind: account.kind, request: request))
        return response
    }

    /// POST `/sign-out`: ends the session here and in the browser.
    func signOut(_ request: CGIRequest) throws -> CGIResponse {
        try checkCSRF(request)
        if let cookie = request.cookies["bk_account"], let claims = try? SignedToken.verify(cookie, purpose: "account", now: now, key: key) {
            try database.endSession(sessionHash: RandomToken.digest(claims.subject), now: now)
        }
        var response = redirect("/sign-in")
        response.headers.append(("Set-Cookie", Cookie(name: "bk_account", value: "", path: cookiePath, maxAge: 0, secure: secureCookies(request)).headerValue))
        return response
    }
}
