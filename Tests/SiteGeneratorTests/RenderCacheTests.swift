import Foundation
import Testing
import TestSupport
@testable import SiteGenerator

/// The render cache holds only for the inputs and output state it names, survives a record
/// cut short, and stays small.
@Suite struct RenderCacheTests {
    let inputs = "0123456789abcdef"
    let first = "1111111111111111"
    let second = "2222222222222222"

    func entry(_ key: String, _ card: String) -> RenderCache.Entry { RenderCache.Entry(renderKey: key, card: card) }

    @Test func readsBackWhatItSavedForTheSameInputsAndOutputOnly() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/state/render-cache"
        var cache = RenderCache.load(path: path, inputs: inputs, outputFingerprint: nil)
        #expect(!cache.isValid)
        try cache.save(["ana": entry("k1", "<li>Ana\n</li>"), "/": entry("l1", "")], inputs: inputs, outputFingerprint: first, live: ["ana", "/"])
        let loaded = RenderCache.load(path: path, inputs: inputs, outputFingerprint: first)
        #expect(loaded.isValid)
        #expect(loaded.entries == ["ana": entry("k1", "<li>Ana\n</li>"), "/": entry("l1", "")])
        #expect(!RenderCache.load(path: path, inputs: inputs, outputFingerprint: second).isValid)
        #expect(!RenderCache.load(path: path, inputs: "fedcba9876543210", outputFingerprint: first).isValid)
    }

    @Test func appendsThenNamesTheNewOutputAndALaterRecordWins() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/render-cache"
        var cache = RenderCache.load(path: path, inputs: inputs, outputFingerprint: nil)
        try cache.save(["ana": entry("k1", "A"), "bo": entry("k1", "B")], inputs: inputs, outputFingerprint: first, live: ["ana", "bo"])
        var next = RenderCache.load(path: path, inputs: inputs, outputFingerprint: first)
        next.invalidate()
        // A build that stops here leaves a cache that matches no output.
        #expect(!RenderCache.load(path: path, inputs: inputs, outputFingerprint: first).isValid)
        try next.save(["ana": entry("k2", "A2")], inputs: inputs, outputFingerprint: second, live: ["ana", "bo"])
        let loaded = RenderCache.load(path: path, inputs: inputs, outputFingerprint: second)
        #expect(loaded.entries == ["ana": entry("k2", "A2"), "bo": entry("k1", "B")])
        #expect(loaded.records == 3)
    }

    @Test func aRecordCutShortEndsTheReading() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/render-cache"
        var cache = RenderCache.load(path: path, inputs: inputs, outputFingerprint: nil)
        try cache.save(["ana": entry("k1", "A"), "bo": entry("k1", "Bo's card")], inputs: inputs, outputFingerprint: first, live: ["ana", "bo"])
        let bytes = try #require(FileManager.default.contents(atPath: path))
        try bytes.dropLast(4).write(to: URL(fileURLWithPath: path))
        let loaded = RenderCache.load(path: path, inputs: inputs, outputFingerprint: first)
        #expect(loaded.entries == ["ana": entry("k1", "A")])
    }

    @Test func rewritesItselfWhenDeadRecordsPileUp() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/render-cache"
        var cache = RenderCache.load(path: path, inputs: inputs, outputFingerprint: nil)
        try cache.save(["ana": entry("k0", "A")], inputs: inputs, outputFingerprint: first, live: ["ana"])
        var fingerprint = first
        for round in 1...1200 {
            let next = String(format: "%016x", round)
            var loaded = RenderCache.load(path: path, inputs: inputs, outputFingerprint: fingerprint)
            #expect(loaded.isValid)
            try loaded.save(["ana": entry("k\(round)", "A\(round)")], inputs: inputs, outputFingerprint: next, live: ["ana"])
            fingerprint = next
        }
        let final = RenderCache.load(path: path, inputs: inputs, outputFingerprint: fingerprint)
        #expect(final.entries == ["ana": entry("k1200", "A1200")])
        #expect(final.records < 1002)
    }
}

/// The search index folds words byte by byte where it can: held to the Unicode reference.
@Suite struct SearchWordsTests {
    @Test func theFastFoldingIsTheUnicodeOne() {
        var random = SeededRandom(seed: 7)
        let pieces = ["Müller", "naïve", "ÉCOLE", "café", "Nguyễn Thị Đào", "Иван", "東京", "don’t", "O'Connor", "x2", "A", "the", "Self-esteem",
                      "ﬁne", "Ⅻ", "ß", "İstanbul", "½", "e\u{301}", " ", "—", ",", "\t", "42", "Zoë", "ÅNGSTRÖM"]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 1...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined(separator: ["", " ", "-", "."].randomElement(using: &random)!)
            #expect(SearchIndex.words(text) == SearchIndex.slowWords(text), "\(text)")
        }
        #expect(SearchIndex.words("José Müller: burnout, and CBT-I for 2 years") == ["jose", "muller", "burnout", "cbt", "years"])
    }
}
