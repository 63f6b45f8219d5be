import Foundation
import Testing
import TestSupport
@testable import MentorCore

@Suite struct WebTextTests {
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

@Suite struct FilesTests {
    @Test func readsWholeFilesAndRefusesFolders() throws {
        let path = NSTemporaryDirectory() + "files-test-\(getpid())"
        let bytes = (0..<70_000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Files.bytes(at: path) == bytes)
        #expect(Files.readText(path) == nil)  // not UTF-8
        #expect(Files.bytes(at: NSTemporaryDirectory()) == nil)
        #expect(Files.bytes(at: path + ".missing") == nil)
        #expect(Files.exists(path) && !Files.exists(path + ".missing"))
    }

    @Test func splitsOffTheFolder() {
        #expect(Files.folder(of: "a/b/c.yml") == "a/b")
        #expect(Files.folder(of: "c.yml") == "")
        #expect(Files.folder(of: "/c.yml") == "/")
    }

    @Test func readsTheEnvironmentLikeGetenv() {
        setenv("MENTORSITE_TEST_ENV_VALUE", "a=b=c ünïcode", 1)
        setenv("MENTORSITE_TEST_ENV_EMPTY", "", 1)
        let environment = Files.environment()
        #expect(environment == ProcessInfo.processInfo.environment)
        #expect(environment["MENTORSITE_TEST_ENV_VALUE"] == "a=b=c ünïcode")
        #expect(environment["MENTORSITE_TEST_ENV_EMPTY"] == "")
    }

    @Test func findsThePathOfAnAbsoluteURL() {
        #expect(URLs.pathComponent(of: "https://example.org/a/b") == "/a/b")
        #expect(URLs.pathComponent(of: "http://127.0.0.1:8080/cgi-bin/book?x=1") == "/cgi-bin/book?x=1")
        #expect(URLs.pathComponent(of: "https://exämple.org/ü") == "/ü")
        #expect(URLs.pathComponent(of: "https://example.org") == nil)
        #expect(URLs.pathComponent(of: "/cgi-bin/book") == nil)
        #expect(URLs.pathComponent(of: "") == nil)
    }

    @Test func joinsLikeTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let parts = (0..<Int.random(in: 0...6, using: &generator)).map { _ in String(repeating: "ab", count: Int.random(in: 0...3, using: &generator)) }
            for separator in ["", ", ", "\r\n"] {
                #expect(WebText.join(parts, separator: separator) == parts.joined(separator: separator))
            }
        }
    }
}

@Suite struct PlainTextTests {
    @Test(arguments: ["José Müller", "Nguyễn Thị Đào", "Иван Петров", "محمد", "Life transitions", "Ana\u{200D}Lu", "a\u{0301}\u{0302}"])
    func acceptsVisibleTextInAnyScript(text: String) {
        #expect(PlainText.problem(text) == nil)
    }

    @Test func refusesWhatCouldBreakAFileOrFoolAReader() {
        #expect(PlainText.problem("Ana\r\nATTENDEE:x") == "must be one line of text without control characters (U+000D)")
        #expect(PlainText.problem("Ana\u{7}") == "must be one line of text without control characters (U+0007)")
        #expect(PlainText.problem("Ana\u{85}") == "must be one line of text without control characters (U+0085)")
        #expect(PlainText.problem("\u{202E}anA") == "must not contain bidirectional override or isolate characters (U+202E)")
        #expect(PlainText.problem("x\u{2067}y") == "must not contain bidirectional override or isolate characters (U+2067)")
        #expect(PlainText.problem("\u{200B}\u{200C} \u{FEFF}") == "has no visible characters")
        #expect(PlainText.problem("a" + String(repeating: "\u{0300}", count: 5)) == "has more than 4 combining marks on one character")
    }
}

@Suite struct ElementIDTests {
    @Test func makesIDsWithoutWhitespaceThatStayUnique() {
        #expect(WebText.elementIDs(["Depression", "Life transitions", "Men's mental health", "Men’s mental health", "Ängste", "家庭"], prefix: "specialty-")
                == ["specialty-Depression", "specialty-Life-transitions", "specialty-Men-s-mental-health", "specialty-Men-s-mental-health-2",
                    "specialty-ngste", "specialty-item"])
    }
}
