import Foundation
import Mustache
import Testing
import TestSupport
@testable import TemplateEngine

/// `Template` must render exactly what swift-mustache renders (the generator's engine) for
/// every template we ship and every awkward construct, so a layout looks the same in the
/// site and in the booking pages.
@Suite struct TemplateTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Both engines' output for `name` in a library of `sources`; nil where an engine
    /// refuses a template.
    /// The same context as swift-mustache reads it. Lists and objects print as nothing in
    /// both engines (swift-mustache would print Swift's description of an array).
    static func reference(_ value: TemplateValue) -> Any {
        switch value {
        case .text(let text): text
        case .flag(let flag): flag
        case .list(let items): ReferenceList(items: items.map(reference))
        case .object(let object): ReferenceObject(values: object.mapValues(reference))
        }
    }

    struct ReferenceObject: MustacheParent, CustomStringConvertible {
        let values: [String: Any]
        func child(named name: String) -> Any? { values[name] }
        var description: String { "" }
    }

    struct ReferenceList: MustacheSequence, CustomStringConvertible {
        let items: [Any]
        func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }
        var description: String { "" }
    }

    func expectSame(_ sources: [String: String], _ context: [String: TemplateValue], name: String = "main", sourceLocation: SourceLocation = #_sourceLocation) {
        var ours: TemplateLibrary? = TemplateLibrary()
        var reference: [String: MustacheTemplate]? = [:]
        for (key, text) in sources {
            do { ours?.templates[key] = try Template(text) } catch { ours = nil }
            do { reference?[key] = try MustacheTemplate(string: text) } catch { reference = nil }
        }
        let label = sources[name]?.debugDescription ?? name
        #expect((ours == nil) == (reference == nil), "only one engine refused \(label)", sourceLocation: sourceLocation)
        guard let ours, let reference else { return }
        #expect(ours.render(name, context) == MustacheLibrary(templates: reference).render(Self.reference(.object(context)), withTemplate: name), "\(label)", sourceLocation: sourceLocation)
    }

    static let cases: [String] = [
        "Hello {{name}}!", "{{{html}}} {{&html}} {{html}}", "{{ name }}|{{missing}}|{{number}}|{{yes}}",
        "{{#yes}}on{{/yes}}{{#no}}off{{/no}}{{^no}}not{{/no}}{{^yes}}never{{/yes}}",
        "{{#list}}[{{name}}{{title}}]{{/list}}", "{{#list}}\n  {{name}}\n{{/list}}\n", "  {{#list}}\n  * {{name}}\n  {{/list}}\nend",
        "{{#empty}}x{{/empty}}{{^empty}}none{{/empty}}", "{{#strings}}<{{.}}>{{/strings}}", "{{#object}}{{name}} {{title}}{{/object}}",
        "{{object.name}} {{object.missing.deeper}} {{#object}}{{.name}}{{/object}}", "{{#name}}{{.}}{{/name}}",
        "a\n{{! comment }}\nb\n  {{! indented }}  \nc {{! inline }} d", "{{=<% %>=}}<% name %> {{name}}\n<%={{ }}=%>{{name}}",
        "line 1\r\n{{#yes}}\r\nline 2\r\n{{/yes}}\r\n", "{{#yes}}\n{{/yes}}{{#yes}}x{{/yes}}\n", "\t{{#yes}}\t\ntab\n\t{{/yes}}\t\nafter",
        "{{> part}}", "  {{> part}}\nnext", "x {{> part}} y", "  {{>part}}  \n", "{{% CONTENT_TYPE: TEXT}}{{html}}", "{{% CONTENT_TYPE: HTML}}\n{{html}}",
        "{{<parent}}{{$body}}over {{name}}{{/body}}{{/parent}}", "{{<parent}}\n{{$body}}\n  two\n    lines\n{{/body}}\n{{/parent}}\n",
        "{{<parent}}{{/parent}}", "  {{<parent}}\n  {{$body}}\n  indented\n  {{/body}}\n  {{/parent}}\n", "{{$body}}default{{/body}}",
        "{{#list}}{{#yes}}{{name}}{{/yes}}{{/list}}", "{{#object}}{{#list}}{{title}}{{/list}}{{/object}}", "trailing  ", "  ", "{{name}}  \n  ",
        "é {{name}} ü\n", "{{#yes}}a{{/yes}}  \n{{^no}}\nb\n{{/no}}", "{{ #yes }}refused by both{{ /yes }}", "}}{{name}}{{", "{{#list}}{{/list}}",
    ]

    static let context: [String: TemplateValue] = [
        "name": "Ada <&> \"Lovelace\" 'x'", "html": "<b>bold</b>", "number": "42", "yes": true, "no": false, "empty": [],
        "list": [["name": "one"], ["name": "two", "title": "T"]], "strings": ["a", "b<"], "title": "outer",
        "object": ["name": "inner", "list": [["title": "x"]]],
    ]

    static let partials = [
        "part": "p1 {{name}}\np2\n", "lines": "l1\r\nl2\n\rl3 {{name}}\n\n{{#yes}}\nl4\r\n{{/yes}}\nl5", "parent": "<h>{{$head}}H{{/head}}</h>\n  {{$body}}default body{{/body}}\nend\n",
    ]

    @Test(arguments: cases)
    func rendersLikeSwiftMustache(_ text: String) {
        expectSame(Self.partials.merging(["main": text]) { $1 }, Self.context)
    }

    /// swift-mustache also refuses a template that ends in a lone `{`; this engine prints it.
    @Test func refusesWhatItDoesNotSupportWithALine() {
        for text in ["{{uppercased(name)}}", "{{>*dynamic}}", "{{#a}}never closed", "{{#a}}x{{/b}}", "{{! open", "{{=<%=}}", "{{% CONTENT_TYPE: XML}}"] {
            #expect(throws: TemplateError.self, "\(text)") { try Template(text) }
        }
        #expect(throws: TemplateError(message: "{{#a}} is never closed", line: 2, column: 1)) { try Template("x\n{{#a}}") }
    }

    @Test func namesThePartialsItUsesEvenAfterNewDelimiters() throws {
        let template = try Template("{{> a}}{{#x}}{{>b}}{{/x}}{{=<% %>=}}<%> c%><%<parent%><%$body%><%>d%><%/body%><%/parent%>")
        #expect(template.partials == ["a", "b", "c", "parent", "d"])
    }

    /// A partial that is already being rendered renders as nothing: loops end at once.
    @Test func partialsThatIncludeEachOtherStop() throws {
        let library = TemplateLibrary(templates: ["a": try Template("a{{>b}}{{>b}}"), "b": try Template("b{{>a}}{{>b}}")])
        #expect(library.render("a", [:]) == "abb")
        #expect(library.render("b", [:]) == "ba")
    }

    /// Every shipped template, each with many random contexts built from the names it uses.
    @Test func rendersEveryShippedTemplateLikeSwiftMustache() throws {
        let folder = Self.repository + "/templates"
        var sources: [String: String] = [:]
        for file in try FileManager.default.subpathsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            sources[String(file.dropLast(".mustache".count))] = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
        }
        #expect(sources.count > 20)
        var random = SeededRandom(seed: 7)
        for name in sources.keys.sorted() {
            // The names this template and the partials it uses read; those printed get text.
            var names = Set<String>(), printed = Set<String>()
            var pending = [name], seen = Set<String>()
            while let next = pending.popLast() {
                guard seen.insert(next).inserted, let text = sources[next] else { continue }
                collectNames(try Template(text).nodes, into: &names, printed: &printed)
                pending += try Template(text).partials
            }
            for _ in 0..<12 {
                expectSame(sources, randomContext(names.sorted(), printed: printed, depth: 0, &random), name: name)
            }
        }
    }

    /// Random templates from awkward pieces: wherever swift-mustache parses one, both agree.
    @Test func randomTemplatesRenderLikeSwiftMustache() {
        let pieces = ["{{name}}", "{{{html}}}", "{{#list}}", "{{/list}}", "{{#yes}}", "{{/yes}}", "{{^no}}", "{{/no}}", "{{! c }}", "{{> part}}",
                      "{{<parent}}", "{{/parent}}", "{{$body}}", "{{/body}}", "{{=<% %>=}}", "<%name%>", "<%={{ }}=%>", "{{.}}", "text", "é",
                      " ", "  ", "\t", "\n", "\r\n", "\n  ", "{{object.name}}", "{{#object}}", "{{/object}}", "{", "}", "{{> lines}}", "\r"]
        var random = SeededRandom(seed: 11)
        var compared = 0
        for _ in 0..<3000 {
            let text = (0..<random.next(upTo: 12)).map { _ in pieces[random.next(upTo: pieces.count)] }.joined()
            guard (try? MustacheTemplate(string: text)) != nil else { continue }
            compared += 1
            expectSame(Self.partials.merging(["main": text]) { $1 }, Self.context)
        }
        #expect(compared > 300)
    }

    func collectNames(_ nodes: [Template.Node], into names: inout Set<String>, printed: inout Set<String>) {
        for node in nodes {
            switch node {
            case .variable(let name, _):
                names.formUnion(name.parts)
                if let last = name.parts.last { printed.insert(last) }
            case .section(let name, let body, _):
                names.formUnion(name.parts)
                collectNames(body, into: &names, printed: &printed)
            case .partial(_, _, let overrides): overrides?.values.forEach { collectNames($0, into: &names, printed: &printed) }
            case .block(_, let body, _), .blockDefinition(_, let body): collectNames(body, into: &names, printed: &printed)
            case .text, .escaping: break
            }
        }
    }

    /// Random values for `names`; a name some tag prints mostly gets text or a flag.
    func randomContext(_ names: [String], printed: Set<String>, depth: Int, _ random: inout SeededRandom) -> [String: TemplateValue] {
        var context: [String: TemplateValue] = [:]
        // Fewer names deeper down, so that nested lists stay small.
        for name in names where random.next(upTo: depth == 0 ? 3 : 8) == 0 || depth == 0 && random.next(upTo: 2) == 0 {
            switch random.next(upTo: depth < 2 && (!printed.contains(name) || random.next(upTo: 4) == 0) ? 9 : 6) {
            case 0: context[name] = ""
            case 1: context[name] = "text <em>&amp;</em> \"q\" 'a' \(name)"
            case 2: context[name] = "two\nlines"
            case 3: context[name] = true
            case 4: context[name] = false
            case 5: context[name] = .text(String(random.next(upTo: 100)))
            case 6: context[name] = []
            case 7: context[name] = .list((0..<1 + random.next(upTo: 2)).map { _ in .object(randomContext(names, printed: printed, depth: depth + 1, &random)) })
            default: context[name] = .object(randomContext(names, printed: printed, depth: depth + 1, &random))
            }
        }
        return context
    }
}
