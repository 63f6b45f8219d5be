import Foundation
import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

@Suite struct TemplateSetTests {
    func templates(_ files: [String: String]) -> TemporaryFolder {
        let folder = TemporaryFolder()
        for name in TemplateSet.required { folder.write("\(name).mustache", "ok") }
        for (name, text) in files { folder.write(name, text) }
        return folder
    }

    @Test func refusesAnEmptyPageTemplate() {
        let folder = templates(["mentor.mustache": " \n\n"])
        #expect(throws: GeneratorError(stage: .load, diagnostics: [
            Diagnostic(file: folder.path + "/mentor.mustache", message: "the template is empty"),
        ])) {
            try TemplateSet.load(from: folder.path)
        }
    }

    @Test func reportsSyntaxErrorsWithLineAndColumn() {
        let folder = templates(["mentor.mustache": "line one\n{{#mentor}}\n{{/other}}\n"])
        #expect(throws: GeneratorError(stage: .load, diagnostics: [
            Diagnostic(file: folder.path + "/mentor.mustache", line: 3, message: "column 4: section closed with the wrong name: {{/other}} closes {{#mentor}}: {{/other}}"),
        ])) {
            try TemplateSet.load(from: folder.path)
        }
    }

    @Test func reportsMissingPartialsAndTemplates() throws {
        let folder = templates(["page.mustache": "{{>missing}}"])
        try FileManager.default.removeItem(atPath: folder.path + "/404.mustache")
        #expect(throws: GeneratorError(stage: .load, diagnostics: [
            Diagnostic(file: folder.path + "/404.mustache", message: "missing template"),
            Diagnostic(file: folder.path + "/page.mustache", line: 1, message: "uses partial \"missing\", but there is no missing.mustache"),
        ])) {
            try TemplateSet.load(from: folder.path)
        }
    }

    @Test func refusesPartialLoops() {
        let folder = templates(["a.mustache": "{{>b}}", "b.mustache": "x\n{{> a }}"])
        #expect(throws: GeneratorError(stage: .load, diagnostics: [
            Diagnostic(file: folder.path + "/a.mustache", message: "partials include each other in a loop: a → b → a"),
        ])) {
            try TemplateSet.load(from: folder.path)
        }
    }
}
