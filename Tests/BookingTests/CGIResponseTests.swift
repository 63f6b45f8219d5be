#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Booking

@Suite struct CGIResponseTests {
    @Test func writesStatusHeadersAndBody() {
        let text = String(decoding: CGIResponse(status: .notFound, html: "<p>x</p>").serialized, as: UTF8.self)
        #expect(text.hasPrefix("Status: 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"))
        #expect(text.contains("Content-Security-Policy: default-src 'none';"))
        #expect(text.contains("frame-ancestors 'none'"))
        #expect(text.contains("X-Content-Type-Options: nosniff\r\n"))
        #expect(text.hasSuffix("Content-Length: 8\r\n\r\n<p>x</p>"))
    }

    @Test func headerValuesCannotSmuggleHeaders() {
        let text = String(decoding: CGIResponse.redirect(to: "/x\r\nSet-Cookie: evil=1").serialized, as: UTF8.self)
        #expect(!text.contains("\r\nSet-Cookie"))
        #expect(text.contains("Location: /xSet-Cookie: evil=1\r\n"))
    }

    @Test func cookiesAreHttpOnlyAndLax() {
        #expect(Cookie(name: "patient", value: "t", path: "/cgi-bin/book", maxAge: 60).headerValue
            == "patient=t; Path=/cgi-bin/book; HttpOnly; SameSite=Lax; Max-Age=60; Secure")
    }
}
