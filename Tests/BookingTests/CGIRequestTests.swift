#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Booking

func post(_ body: String, _ extra: [String: String] = [:]) -> [String: String] {
    ["REQUEST_METHOD": "POST", "CONTENT_LENGTH": String(body.utf8.count), "CONTENT_TYPE": "application/x-www-form-urlencoded"].merging(extra) { $1 }
}

/// The `BookingError` that `body` throws, or nil.
func failure(_ body: () throws -> Void) -> BookingError? {
    do {
        try body()
        return nil
    } catch let error as BookingError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct CGIRequestTests {
    @Test func parsesAGetWithQueryPathAndCookies() throws {
        let request = try CGIRequest(environment: [
            "REQUEST_METHOD": "GET", "PATH_INFO": "/slots", "QUERY_STRING": "mentor=jose-muller&from=2026-12-01",
            "HTTP_COOKIE": "a=1; session=abc; a=2", "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "/cgi-bin/book",
            "HTTP_PROXY": "http://evil.example:8080",
        ], body: [])
        #expect(request.method == .get)
        #expect(request.pathInfo == "/slots")
        #expect(request.query["mentor"] == "jose-muller")
        #expect(request.cookies == ["a": "1", "session": "abc"])
        #expect(request.scriptName == "/cgi-bin/book")
    }

    @Test func decodesAFormPostUpToContentLengthOnly() throws {
        let body = "name=Ana+Silva&email=ana%40example.org"
        let request = try CGIRequest(environment: post(body), body: Array((body + "&extra=ignored").utf8))
        #expect(request.form == FormData(["name": "Ana Silva", "email": "ana@example.org"]))
    }

    @Test func refusesMissingOrUnknownMethods() {
        #expect(failure { _ = try CGIRequest(environment: [:], body: []) }?.status == .badRequest)
        #expect(failure { _ = try CGIRequest(environment: ["REQUEST_METHOD": "DELETE"], body: []) }?.status == .methodNotAllowed)
        #expect(failure { _ = try CGIRequest(environment: ["REQUEST_METHOD": "get"], body: []) }?.status == .methodNotAllowed)
    }

    @Test(arguments: ["-1", "+10", "1e3", "ten", "0x10", " 10"])
    func refusesContentLengthsThatAreNotPlainNumbers(length: String) {
        #expect(failure { _ = try CGIRequest(environment: post("a=b", ["CONTENT_LENGTH": length]), body: Array("a=b".utf8)) }?.status == .badRequest)
    }

    @Test func aLengthOfTwentyDigitsIsTooLargeNotMalformed() {
        #expect(failure { _ = try CGIRequest(environment: post("a=b", ["CONTENT_LENGTH": "99999999999999999999"]), body: Array("a=b".utf8)) }?.status == .payloadTooLarge)
    }

    @Test func refusesBodiesOverTheCapBeforeReadingThem() {
        let error = failure { _ = try CGIRequest(environment: post("a=b", ["CONTENT_LENGTH": "70000"]), body: []) }
        #expect(error == BookingError(.payloadTooLarge, "The request is larger than 64 KB."))
    }

    @Test func refusesABodyShorterThanItsLength() {
        #expect(failure { _ = try CGIRequest(environment: post("a=b", ["CONTENT_LENGTH": "30"]), body: Array("a=b".utf8)) }?.status == .badRequest)
        #expect(failure { _ = try CGIRequest(environment: ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"], body: []) }?.status == .badRequest)
    }

    @Test func refusesOtherContentTypes() {
        #expect(failure { _ = try CGIRequest(environment: post("a=b", ["CONTENT_TYPE": "multipart/form-data; boundary=x"]), body: Array("a=b".utf8)) }?.status == .badRequest)
        #expect((try? CGIRequest(environment: post("a=b", ["CONTENT_TYPE": "application/x-www-form-urlencoded; charset=UTF-8"]), body: Array("a=b".utf8))) != nil)
    }

    @Test(arguments: ["/../etc/passwd", "//slots", "/slots/..", "/./slots", "/a\\b", "slots", "/a b", "/a\u{7f}"])
    func refusesPathsThatTryToEscape(path: String) {
        #expect(failure { _ = try CGIRequest(environment: ["REQUEST_METHOD": "GET", "PATH_INFO": path], body: []) }?.status == .notFound)
    }

    @Test func keepsOrdinaryPaths() throws {
        #expect(try CGIRequest.normalise(pathInfo: "/manage/") == "/manage")
        #expect(try CGIRequest.normalise(pathInfo: "/") == "")
        #expect(try CGIRequest.normalise(pathInfo: "") == "")
    }
}

@Suite struct ReadDeadlineTests {
    /// A client that announces more than it sends gets its short body refused once the
    /// deadline passes, instead of holding the process until the server gives up.
    @Test func aBodyThatNeverArrivesStopsAtTheDeadline() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        _ = Array("csrf=x".utf8).withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        // The writing end stays open: no end of input ever comes.
        let body = CGIRequest.readStandardInput(upTo: 500, descriptor: ends[0], deadline: 200)
        #expect(body == Array("csrf=x".utf8))
    }

    @Test func aWholeBodyIsReadAsSoonAsItIsThere() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        _ = Array("a=1&b=2".utf8).withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        #expect(CGIRequest.readStandardInput(upTo: 7, descriptor: ends[0], deadline: 60_000) == Array("a=1&b=2".utf8))
    }
}
