import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

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

@Suite struct MetaDescriptionTests {
    @Test func keepsShortEnoughText() {
        let text = "I help adults with anxiety find calm through practical, warm sessions."
        #expect(SEO.metaDescription(plainText: text, lead: "Ana.") == text)
    }

    @Test func cutsLongTextAtAWordWithAnEllipsis() {
        let text = String(repeating: "Compassionate counselling for anxiety and depression. ", count: 6)
        let description = SEO.metaDescription(plainText: text, lead: "Ana.")
        #expect(description.count <= 160)
        #expect(description.count >= 50)
        #expect(description.hasSuffix("…"))
        #expect(text.hasPrefix(String(description.dropLast())))
        #expect(!description.dropLast().hasSuffix(" "))
        #expect(text.contains(String(description.dropLast()) + " ") || text.contains(String(description.dropLast()) + "."))
    }

    @Test func leadsShortBiosWithWhoAndWhere() {
        let description = SEO.metaDescription(plainText: "Hi.", lead: "Ana Silva, Therapist in Lima.")
        #expect(description == "Ana Silva, Therapist in Lima. Hi. Book a private session online.")
        #expect(SEO.descriptionRange.contains(description.count))
    }

    @Test func cutsAHugeWordHard() {
        let description = SEO.metaDescription(plainText: String(repeating: "x", count: 500), lead: "Ana.")
        #expect(description.count == 160)
    }
}

@Suite struct EscapingTests {
    @Test func jsonCannotCloseTheScriptElement() {
        let text = JSON.object([("name", .string("</script><script>alert('x')</script> & <!--"))]).text
        #expect(!text.contains("<"))
        #expect(!text.contains(">"))
        #expect(text == #"{"name":"\u003c/script\u003e\u003cscript\u003ealert('x')\u003c/script\u003e \u0026 \u003c!--"}"#)
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSON.string("a\u{1}\n\"\\\u{2028}").text == #""a\u0001\n\"\\\u2028""#)
    }

    @Test func htmlEscapesEverySpecialCharacter() {
        #expect(HTML.escape(#"<a href="x" onclick='y'>&</a>"#) == "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(WebText.percentEncode("ana b/ü") == "ana%20b%2F%C3%BC")
    }
}

@Suite struct ShortenTests {
    @Test func cutsAtAWordAndDropsTrailingPunctuation() {
        #expect(SEO.shorten("short", to: 10) == "short")
        #expect(SEO.shorten("Calm, kind and clear: talk to someone today", to: 20) == "Calm, kind and…")
        #expect(SEO.shorten("Supercalifragilistic expialidocious", to: 10) == "Supercali…")
        // A space too early to keep enough text is ignored: cut hard instead.
        #expect(SEO.shorten("a bcdefghijklmnop", to: 10, keeping: 5) == "a bcdefgh…")
    }
}
