import Testing
@testable import MentorCore
import SiteGenerator

@Suite struct SlugTests {
    @Test(arguments: [
        ("José Müller", "jose-muller"),
        ("Nguyễn Thị Đào", "nguyen-thi-dao"),
        ("Łukasz Żółć", "lukasz-zolc"),
        ("Søren Ærø", "soren-aero"),
        ("Chloé  Dubois ", "chloe-dubois"),
        ("Liam O'Connor", "liam-oconnor"),
        ("Dr. Anne-Marie van der Berg", "dr-anne-marie-van-der-berg"),
        ("Straße", "strasse"),
    ])
    func foldsLatinDiacritics(name: String, slug: String) {
        #expect(Slug.make(from: name) == slug)
    }

    @Test(arguments: [
        ("Иван Петров", "ivan-petrov"),
        ("Ψυχολόγος", "psychologos"),
        ("王芳", "wang-fang"),
    ])
    func transliteratesOtherScripts(name: String, slug: String) {
        #expect(Slug.make(from: name) == slug)
    }

    @Test func fallsBackToAStableHashWhenNothingIsLeft() {
        let slug = Slug.make(from: "🙂🙂")
        #expect(slug.hasPrefix("mentor-"))
        #expect(slug == Slug.make(from: "🙂🙂"))
        #expect(Slug.isValid(slug))
    }

    @Test func cutsLongNamesAtAHyphen() {
        let slug = Slug.make(from: String(repeating: "Anna Maria ", count: 20))
        #expect(slug.count <= Slug.maximumLength)
        #expect(!slug.hasSuffix("-"))
    }

    @Test func numbersCollisionsFromTwo() {
        let taken: Set = ["maria-garcia", "maria-garcia-2"]
        #expect(Slug.unique("maria-garcia", isTaken: taken.contains) == "maria-garcia-3")
        #expect(Slug.unique("ana", isTaken: taken.contains) == "ana")
    }

    @Test func recognisesNumberedForms() {
        #expect(Slug.slug("maria-garcia-2", isNumberedFormOf: "maria-garcia"))
        #expect(Slug.slug("maria-garcia", isNumberedFormOf: "maria-garcia"))
        #expect(!Slug.slug("maria-garcia-1", isNumberedFormOf: "maria-garcia"))
        #expect(!Slug.slug("maria-garcia-02", isNumberedFormOf: "maria-garcia"))
        #expect(!Slug.slug("maria-garcia-lopez", isNumberedFormOf: "maria-garcia"))
    }

    @Test(arguments: ["ana", "ana-2", "jose-muller"]) func acceptsValidSlugs(slug: String) {
        #expect(Slug.isValid(slug))
    }

    @Test(arguments: ["", "Ana", "ana--b", "-ana", "ana-", "ana/b", "../etc", "ana b", "é"]) func rejectsInvalidSlugs(slug: String) {
        #expect(!Slug.isValid(slug))
    }
}
