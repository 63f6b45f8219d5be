import MentorCore
import Testing
@testable import SiteGenerator

@Suite struct FrontMatterTests {
    @Test func splitsYAMLFromTheBody() throws {
        let document = try FrontMatter.split("---\nname: Ana\n---\n\nHello\n", file: "a.md")
        #expect(document.yaml == "name: Ana")
        #expect(document.body == "\nHello\n")
        #expect(document.bodyStartLine == 4)
    }

    @Test func needsAnOpeningLine() {
        #expect(throws: Diagnostic(file: "a.md", line: 1, message: "expected front matter: the file must start with a line \"---\"")) {
            try FrontMatter.split("name: Ana\n", file: "a.md")
        }
    }

    @Test func needsAClosingLine() {
        #expect(throws: Diagnostic(file: "a.md", line: 1, message: "front matter is not closed: add a line \"---\" after it")) {
            try FrontMatter.split("---\nname: Ana\n", file: "a.md")
        }
    }
}
