import Testing
@testable import SiteGenerator

@Suite struct JSONTests {
    @Test func jsonCannotCloseTheScriptElement() {
        let text = JSON.object([("name", .string("</script><script>alert('x')</script> & <!--"))]).text
        #expect(!text.contains("<"))
        #expect(!text.contains(">"))
        #expect(text == #"{"name":"\u003c/script\u003e\u003cscript\u003ealert('x')\u003c/script\u003e \u0026 \u003c!--"}"#)
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSON.string("a\u{1}\n\"\\\u{2028}").text == #""a\u0001\n\"\\\u2028""#)
    }
}
