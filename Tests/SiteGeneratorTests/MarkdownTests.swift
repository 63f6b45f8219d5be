import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator
@testable import CommonMark

@Suite struct MarkdownTests {
    @Test func rendersCommonMark() {
        #expect(Markdown.render("Hello *world*").html == "<p>Hello <em>world</em></p>\n")
    }

    @Test func shiftsHeadingsBelowThePageTitle() {
        #expect(Markdown.render("# A\n## B\n###### F").html == "<h2>A</h2>\n<h3>B</h3>\n<h4>F</h4>\n")
        // An author who starts at ## gets the same outline; a later # never jumps back past h2.
        #expect(Markdown.render("## A\n### B").html == "<h2>A</h2>\n<h3>B</h3>\n")
        #expect(Markdown.render("### A\n# B\n## C").html == "<h2>A</h2>\n<h2>B</h2>\n<h3>C</h3>\n")
    }

    @Test func dropsRawHTML() {
        let html = Markdown.render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)>").html
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("onerror"))
    }

    @Test(arguments: ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd"])
    func dropsDangerousLinks(url: String) {
        let html = Markdown.render("[click](\(url))").html
        #expect(html == "<p><a href=\"\">click</a></p>\n")
    }

    @Test func keepsImagesOutButTheirTextIn() {
        let rendered = Markdown.render("![a tracker](https://tracker.example/p.gif) text")
        #expect(rendered.html == "<p>a tracker text</p>\n")
    }

    @Test func extractsPlainText() {
        #expect(Markdown.render("# Title\n\nOne *two*\nthree `four`.\n\n- five").plainText == "Title One two three four. five")
    }
}
