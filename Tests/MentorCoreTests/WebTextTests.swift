import Foundation
import Testing
import TestSupport
@testable import MentorCore

@Suite struct WebTextTests {
    @Test func percentEncodesForURLs() {
        #expect(WebText.percentEncode("ana b/ü") == "ana%20b%2F%C3%BC")
    }

    /// The hand-written base64url equals Foundation's base64 with the URL alphabet and no
    /// padding, for every length and many random byte strings, and reads its own output back.
    @Test func base64URLMatchesFoundation() {
        var random = SeededRandom(seed: 3)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(random.next(upTo: 256)) }
            let reference = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(WebText.base64URL(bytes) == reference)
            #expect(WebText.decodeBase64URL(reference) == bytes)
        }
    }

    @Test func base64URLRefusesOtherSpellings() {
        #expect(WebText.decodeBase64URL("LTE") == Array("-1".utf8))
        for text in ["LTG", "LTF", "QQ=", "QQ==", "Q", "QUJDR", "a+b/", "a b", "ä"] {
            #expect(WebText.decodeBase64URL(text) == nil, "\(text)")
        }
        #expect(WebText.decodeBase64URL("") == [])
    }

    @Test func trimsProtocolWhitespaceOnly() {
        #expect(WebText.trimmed("  a b \t\r\n") == "a b")
        #expect(WebText.trimmed("\u{A0}a\u{A0}") == "\u{A0}a\u{A0}")
        #expect(WebText.trimmed(" \n ") == "")
    }
}
