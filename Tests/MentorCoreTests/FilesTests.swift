import Foundation
import Testing
import TestSupport
@testable import MentorCore

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
