import Foundation
import Testing
import TestSupport
@testable import MentorCore

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
