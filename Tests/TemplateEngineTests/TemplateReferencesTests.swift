import Testing
import TemplateEngine

/// The partials and parents a template names, found by the parser with their lines: the
/// generator checks them before a build, the CGI parses only those.
@Suite struct TemplateReferencesTests {
    @Test func findsPartialsAndParentsWithTheirLines() throws {
        let text = "{{% CONTENT_TYPE: HTML}}\n{{<layout}}\n{{$body}}{{> card }} {{name}}\n{{#x}}{{>booking/steps}}{{/x}}\n{{/body}}{{/layout}}"
        let found = try Template(text).references
        #expect(found.map(\.name) == ["layout", "card", "booking/steps"])
        #expect(found.map { Template.line(of: $0.offset, in: text) } == [2, 3, 4])
    }

    @Test func seesPartialsBehindChangedDelimitersAndNamesEachOnce() throws {
        let text = "{{=<% %>=}}\n<%> card%>\n<%={{ }}=%>{{> card}}"
        let template = try Template(text)
        #expect(template.references.map(\.name) == ["card", "card"])
        #expect(template.references.map { Template.line(of: $0.offset, in: text) } == [2, 3])
        #expect(template.partials == ["card"])
    }

    @Test func dynamicPartialNamesAreAnErrorWithTheirPlace() {
        #expect(throws: TemplateError.self) { try Template("x\n{{>*dynamic}}") }
    }
}
