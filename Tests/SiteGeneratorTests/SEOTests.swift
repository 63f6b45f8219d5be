import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

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

@Suite struct ShortenTests {
    @Test func cutsAtAWordAndDropsTrailingPunctuation() {
        #expect(SEO.shorten("short", to: 10) == "short")
        #expect(SEO.shorten("Calm, kind and clear: talk to someone today", to: 20) == "Calm, kind and…")
        #expect(SEO.shorten("Supercalifragilistic expialidocious", to: 10) == "Supercali…")
        // A space too early to keep enough text is ignored: cut hard instead.
        #expect(SEO.shorten("a bcdefghijklmnop", to: 10, keeping: 5) == "a bcdefgh…")
    }
}
