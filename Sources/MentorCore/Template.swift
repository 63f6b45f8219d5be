/// A Mustache template (https://mustache.github.io/mustache.5.html), parsed from UTF-8 bytes
/// and rendered against typed `TemplateValue`s: the one engine of the site generator and
/// the booking CGI, so a layout renders the same in both.
///
/// Why not swift-mustache (now the tests' reference): the CGI parses and renders a page in
/// every process, and swift-mustache spent 45% of a wizard request doing it
/// (Character-by-Character parsing, then protocol casts and `Mirror` on every lookup, each
/// first cast a scan of the binary's conformance tables); in the generator, about 0.25 ms
/// per profile page. This engine reads the same templates the same way (whitespace,
/// standalone lines, partial indentation, inheritance, set delimiters, swift-mustache's
/// `{{% CONTENT_TYPE: … }}` pragma) and is held to swift-mustache's output by differential
/// tests over every shipped template and random ones. Not supported: lambdas, transforms
/// (`{{f(x)}}`) and dynamic partial names (`{{>*x}}`), which are parse errors, and
/// recursive partials (a partial already being rendered renders nothing).
///
/// Contexts are `TemplateValue`s, not `[String: Any]`: every first cast from `Any` in a
/// fresh process instantiated type metadata and scanned the binary's conformance tables
/// (measured with callgrind).
public struct Template: Sendable {
    let nodes: [Node]

    public init(_ text: String) throws(TemplateError) {
        var parser = Parser(Array(text.utf8))
        nodes = try parser.parseAll()
    }

    /// The templates this one includes (`{{> name}}`) or extends (`{{< name}}`), from the
    /// parsed nodes (so a set-delimiter tag cannot hide one).
    public var partials: [String] {
        var names: [String] = []
        func collect(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .partial(let name, _, let overrides):
                    if !names.contains(name) { names.append(name) }
                    for (_, body) in (overrides ?? [:]).sorted(by: { $0.key < $1.key }) { collect(body) }
                case .section(_, let body, _), .block(_, let body, _), .blockDefinition(_, let body): collect(body)
                case .text, .variable, .escaping: break
                }
            }
        }
        collect(nodes)
        return names
    }

    enum Node: Sendable {
        case text(String)
        case variable(Name, escaped: Bool)
        case section(Name, [Node], inverted: Bool)
        /// `{{> name}}`, or `{{< name}}…{{/name}}` with the blocks it overrides.
        case partial(String, indentation: String?, overrides: [String: [Node]]?)
        /// `{{$ name}}default{{/name}}` where a parent template is extended.
        case block(String, [Node], indentation: String)
        /// Only inside `{{< parent}}`: an override.
        case blockDefinition(String, [Node])
        case escaping(Bool)
    }

    struct Name: Sendable, Equatable {
        let parts: [String]
        /// `.` alone, or a name starting with `.`: resolved in the innermost context only.
        let anchored: Bool
        init(_ text: String) {
            // Names are ASCII (the parser reads no other bytes into them).
            var parts: [String] = []
            var start = text.utf8.startIndex
            for index in text.utf8.indices where text.utf8[index] == UInt8(ascii: ".") {
                if start < index { parts.append(String(text[start..<index])) }
                start = text.utf8.index(after: index)
            }
            if start < text.utf8.endIndex { parts.append(String(text[start...])) }
            self.parts = parts
            self.anchored = text.utf8.first == UInt8(ascii: ".")
        }
    }
}

public struct TemplateError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// What a template reads: text, a flag (`{{#has_x}}`), a list (a section repeated per
/// item) or an object (a context of named values). Literals build them:
/// `["name": "Ada", "has_phone": false, "steps": [["number": "1"]]]`.
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case flag(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
}

extension TemplateValue: ExpressibleByStringInterpolation, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}

extension Dictionary where Key == String, Value == TemplateValue {
    /// Sets `key` when there is a value, and the flag `has_key` either way: templates test
    /// the flag (`{{#has_phone}}`) rather than the text.
    public mutating func setOptional(_ key: String, _ value: String?) {
        if let value { self[key] = .text(value) }
        self["has_" + key] = .flag(value != nil)
    }
}

/// Templates by name (`layout`, `booking/time`), for partials and parents.
public struct TemplateLibrary: Sendable {
    public var templates: [String: Template]

    public init(templates: [String: Template] = [:]) { self.templates = templates }

    /// Renders the template `name`; nil when there is no such template. Partials that do not
    /// exist render as nothing, as in every Mustache.
    public func render(_ name: String, _ context: [String: TemplateValue]) -> String? {
        renderBytes(name, context).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `render` as UTF-8 bytes, for output that is bytes anyway (a CGI response): no
    /// validating copy into a String and back.
    public func renderBytes(_ name: String, _ context: [String: TemplateValue]) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(16 * 1024)
        render(template.nodes, Context(stack: [.object(context)], partials: [name]), into: &out)
        return out
    }

    struct Context {
        var stack: [TemplateValue]
        var indentation: [UInt8] = []
        var overrides: [String: [Template.Node]]?
        var escapesHTML = true
        /// The partials being rendered, outermost first: one already among them renders as
        /// nothing, so a loop of partials can neither overflow the stack nor render
        /// forever (the generator refuses such loops before rendering; recursive partials
        /// are not supported).
        var partials: [String] = []
    }

    /// Appends the rendering of `nodes` to `out` (one buffer for the whole page: no string
    /// per section to copy into its parent).
    func render(_ nodes: [Template.Node], _ context: Context, into out: inout [UInt8]) {
        var context = context
        let start = out.count
        for node in nodes {
            // A partial's indentation starts every line it writes: before any output that
            // follows a line feed this template wrote (a CR LF ends no line here, as in
            // swift-mustache, where "\r\n" is one Character).
            let indent = !context.indentation.isEmpty && out.count > start && out[out.count - 1] == 0x0A
                && !(out.count - 2 >= start && out[out.count - 2] == 0x0D)
            let before = out.count
            render(node, &context, into: &out)
            if indent, out.count > before { out.insert(contentsOf: context.indentation, at: before) }
        }
    }

    private func render(_ node: Template.Node, _ context: inout Context, into out: inout [UInt8]) {
        switch node {
        case .text(let text):
            out.append(contentsOf: text.utf8)
        case .variable(let name, let escaped):
            // A list or an object prints as nothing (swift-mustache prints Swift's
            // description of it, which no template wants).
            switch lookup(name, context) {
            case .text(let value):
                if escaped && context.escapesHTML { HTML.appendEscaped(value, to: &out) } else { out.append(contentsOf: value.utf8) }
            case .flag(let value):
                out.append(contentsOf: (value ? "true" : "false").utf8)
            case .list, .object, nil:
                break
            }
        case .section(let name, let body, let inverted):
            let value = lookup(name, context)
            if inverted { renderInverted(body, value, context, into: &out) } else { renderSection(body, value, context, into: &out) }
        case .partial(let name, let indentation, let overrides):
            guard let template = templates[name], !context.partials.contains(name) else { return }
            var inner = context
            inner.partials.append(name)
            if let indentation { inner.indentation += Array(indentation.utf8) }
            if let overrides {
                // The outermost override of a block wins.
                inner.overrides = (context.overrides ?? [:]).merging(overrides) { outer, _ in outer }
            }
            inner.escapesHTML = true
            render(template.nodes, inner, into: &out)
        case .block(let name, let defaultBody, let indentation):
            var inner = context
            inner.indentation += Array(indentation.utf8)
            render(context.overrides?[name] ?? defaultBody, inner, into: &out)
        case .blockDefinition:
            break
        case .escaping(let escapes):
            context.escapesHTML = escapes
        }
    }

    private func renderSection(_ body: [Template.Node], _ value: TemplateValue?, _ context: Context, into out: inout [UInt8]) {
        switch value {
        case nil, .flag(false): return
        case .flag(true): render(body, context, into: &out)
        case .list(let items):
            var inner = context
            inner.stack.append(.flag(true))
            for item in items {
                inner.stack[inner.stack.count - 1] = item
                render(body, inner, into: &out)
            }
        case .some(let value):
            var inner = context
            inner.stack.append(value)
            render(body, inner, into: &out)
        }
    }

    private func renderInverted(_ body: [Template.Node], _ value: TemplateValue?, _ context: Context, into out: inout [UInt8]) {
        switch value {
        case nil, .flag(false): render(body, context, into: &out)
        case .list(let items): if items.isEmpty { render(body, context, into: &out) }
        default: return
        }
    }

    /// A name resolves in the innermost context that has its first part; the rest of a dotted
    /// name is then looked up from there only.
    private func lookup(_ name: Template.Name, _ context: Context) -> TemplateValue? {
        guard let innermost = context.stack.last else { return nil }
        if name.anchored { return descend(name.parts[...], from: innermost) }
        guard let first = name.parts.first else { return innermost }
        for case .object(let object) in context.stack.reversed() {
            if let child = object[first] { return descend(name.parts.dropFirst(), from: child) }
        }
        return nil
    }

    private func descend(_ parts: ArraySlice<String>, from value: TemplateValue) -> TemplateValue? {
        var value = value
        for part in parts {
            guard case .object(let object) = value, let child = object[part] else { return nil }
            value = child
        }
        return value
    }
}

/// The parser: a byte scanner with swift-mustache's rules for whitespace around tags.
private struct Parser {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct State {
        var section: String?
        /// Where the section's opening tag starts, for "never closed".
        var sectionStart = 0
        /// Nothing but spaces and tabs so far on this line.
        var newLine = true
        var open: [UInt8] = Array("{{".utf8)
        var close: [UInt8] = Array("}}".utf8)
        /// Inside `{{< parent}}`; at its top level only block definitions may appear.
        var inParent = false
        var parentTopLevel = false
        /// Leading whitespace of an override's first line, removed from the lines after it.
        var overrideIndent: Int?

        func entering(_ name: String, at start: Int, newLine keep: Bool) -> State {
            var state = self
            state.section = name
            state.sectionStart = start
            state.parentTopLevel = false
            if !keep { state.newLine = false }
            return state
        }
    }

    mutating func parseAll() throws(TemplateError) -> [Template.Node] {
        try parse(State())
    }

    private var atEnd: Bool { index >= bytes.count }

    private func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The text of two ranges, one after the other (usually adjacent: a line's indentation
    /// and the rest of it).
    private func joined(_ first: Range<Int>, _ second: Range<Int>) -> String {
        if first.isEmpty || first.upperBound == second.lowerBound { return string((first.isEmpty ? second.lowerBound : first.lowerBound)..<second.upperBound) }
        return string(first) + string(second)
    }

    private func matches(_ pattern: [UInt8], at position: Int) -> Bool {
        guard position + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[position + offset] != pattern[offset] { return false }
        return true
    }

    /// Length of the line break at `position` (LF or CR LF), 0 if none.
    private func lineBreak(at position: Int) -> Int {
        guard position < bytes.count else { return 0 }
        if bytes[position] == 0x0A { return 1 }
        if bytes[position] == 0x0D, position + 1 < bytes.count, bytes[position + 1] == 0x0A { return 2 }
        return 0
    }

    private mutating func skip(while predicate: (UInt8) -> Bool) {
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "?"), UInt8(ascii: "*"): true
        default: false
        }
    }

    private func error(_ message: String, at position: Int? = nil) -> TemplateError {
        var line = 1, column = 1
        for byte in bytes[..<min(position ?? index, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return TemplateError(message: message, line: line, column: column)
    }

    /// A tag alone on its line (only blanks around it) takes the line break with it.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if atEnd { return true }
        var position = index
        while position < bytes.count, Self.isBlank(bytes[position]) { position += 1 }
        let length = newline(at: position)
        guard length > 0 else { return false }
        index = position + length
        return true
    }

    /// Length of any character Swift calls a newline at `position` (LF, CR LF, CR, VT, FF,
    /// NEL, U+2028, U+2029), 0 if none.
    private func newline(at position: Int) -> Int {
        let length = lineBreak(at: position)
        if length > 0 || position >= bytes.count { return length }
        switch bytes[position] {
        case 0x0B, 0x0C, 0x0D: return 1
        case 0xC2 where position + 1 < bytes.count && bytes[position + 1] == 0x85: return 2
        case 0xE2 where position + 2 < bytes.count && bytes[position + 1] == 0x80 && (bytes[position + 2] == 0xA8 || bytes[position + 2] == 0xA9): return 3
        default: return 0
        }
    }

    private mutating func expectClose(_ state: State) throws(TemplateError) {
        guard matches(state.close, at: index) else { throw error("unfinished tag") }
        index += state.close.count
    }

    /// A variable or section name, then the closing delimiter.
    private mutating func name(_ state: State) throws(TemplateError) -> String {
        skip(while: Self.isSpace)
        let start = index
        var hasParenthesis = false
        skip(while: {
            if $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") { hasParenthesis = true; return true }
            return Self.isNameByte($0)
        })
        let name = string(start..<index)
        skip(while: Self.isSpace)
        try expectClose(state)
        if hasParenthesis { throw error("transforms such as f(x) are not supported in \(name)") }
        return name
    }

    private mutating func partialName(_ state: State) throws(TemplateError) -> String {
        skip(while: Self.isSpace)
        if !atEnd, bytes[index] == UInt8(ascii: "*") { throw error("dynamic partial names are not supported") }
        let start = index
        skip(while: { Self.isNameByte($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") })
        let name = string(start..<index)
        skip(while: Self.isSpace)
        try expectClose(state)
        return name
    }

    private mutating func parse(_ initial: State) throws(TemplateError) -> [Template.Node] {
        var nodes: [Template.Node] = []
        var state = initial
        var whitespace = 0..<0
        func flushWhitespace() {
            if !whitespace.isEmpty { nodes.append(.text(string(whitespace))) }
            whitespace = 0..<0
        }
        while !atEnd {
            if state.newLine {
                let start = index
                skip(while: Self.isBlank)
                if state.inParent, !state.parentTopLevel {
                    if let indent = state.overrideIndent {
                        whitespace = min(start + indent, index)..<index
                    } else {
                        state.overrideIndent = index - start
                    }
                } else {
                    whitespace = start..<index
                }
            }
            // Text up to a line break or a tag.
            let textStart = index
            var breakLength = 0
            var foundTag = false
            let opening = state.open[0]
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x0A || byte == 0x0D || byte == opening {
                    breakLength = lineBreak(at: index)
                    if breakLength > 0 { break }
                    if matches(state.open, at: index) { foundTag = true; break }
                }
                index += 1
            }
            let text = textStart..<index
            if breakLength > 0 {
                nodes.append(.text(joined(whitespace, text.lowerBound..<index + breakLength)))
                index += breakLength
                state.newLine = true
                continue
            }
            if !text.isEmpty {
                nodes.append(.text(joined(whitespace, text)))
                whitespace = 0..<0
                state.newLine = false
            }
            guard foundTag else { break }
            let tagStart = index
            index += state.open.count
            if atEnd { break }
            var standalone = false
            let sigil = bytes[index]
            switch sigil {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                index += 1
                let name = try name(state)
                standalone = isStandalone(state)
                if !standalone { flushWhitespace() }
                let body = try parse(state.entering(name, at: tagStart, newLine: standalone))
                nodes.append(.section(Template.Name(name), body, inverted: sigil == UInt8(ascii: "^")))
            case UInt8(ascii: "/"):
                index += 1
                let position = index
                let name = try name(state)
                guard name == state.section else {
                    index = position
                    throw error(state.section.map { "section closed with the wrong name: {{/\(name)}} closes {{#\($0)}}" } ?? "{{/\(name)}} closes no section")
                }
                if !isStandalone(state) { flushWhitespace() }
                return nodes
            case UInt8(ascii: "!"):
                index += 1
                while !atEnd, !matches(state.close, at: index) { index += 1 }
                guard !atEnd else { throw error("unfinished comment") }
                index += state.close.count
                standalone = isStandalone(state)
            case UInt8(ascii: "{"), UInt8(ascii: "&"):
                flushWhitespace()
                index += 1
                let name = try name(state)
                if sigil == UInt8(ascii: "{") {
                    guard !atEnd, bytes[index] == UInt8(ascii: "}") else { throw error("unfinished tag") }
                    index += 1
                }
                nodes.append(.variable(Template.Name(name), escaped: false))
            case UInt8(ascii: ">"):
                index += 1
                let name = try partialName(state)
                if !whitespace.isEmpty { nodes.append(.text(string(whitespace))) }
                standalone = isStandalone(state)
                nodes.append(.partial(name, indentation: standalone ? string(whitespace) : nil, overrides: nil))
                whitespace = 0..<0
            case UInt8(ascii: "<"):
                index += 1
                let name = try partialName(state)
                if !whitespace.isEmpty { nodes.append(.text(string(whitespace))) }
                standalone = isStandalone(state)
                var parent = state
                parent.section = name
                parent.sectionStart = tagStart
                parent.newLine = true
                parent.inParent = true
                parent.parentTopLevel = true
                var overrides: [String: [Template.Node]] = [:]
                for node in try parse(parent) {
                    switch node {
                    case .blockDefinition(let block, let body): overrides[block] = body
                    case .text: break
                    default: throw error("only {{$block}} overrides may appear inside {{<\(name)}}")
                    }
                }
                nodes.append(.partial(name, indentation: string(whitespace), overrides: overrides))
                whitespace = 0..<0
            case UInt8(ascii: "$"):
                index += 1
                let name = try name(state)
                if state.parentTopLevel {
                    standalone = isStandalone(state)
                    nodes.append(.blockDefinition(name, try parse(state.entering(name, at: tagStart, newLine: standalone))))
                } else {
                    if !whitespace.isEmpty { nodes.append(.text(string(whitespace))) }
                    standalone = isStandalone(state)
                    let body = try parse(state.entering(name, at: tagStart, newLine: standalone))
                    nodes.append(.block(name, body, indentation: string(whitespace)))
                    whitespace = 0..<0
                }
            case UInt8(ascii: "="):
                index += 1
                try setDelimiters(&state)
                standalone = isStandalone(state)
            case UInt8(ascii: "%"):
                index += 1
                nodes.append(.escaping(try pragma(state)))
                standalone = isStandalone(state)
            default:
                flushWhitespace()
                nodes.append(.variable(Template.Name(try name(state)), escaped: true))
            }
            state.newLine = standalone
        }
        if let section = state.section { throw error("{{#\(section)}} is never closed", at: state.sectionStart) }
        return nodes
    }

    /// `{{=<% %>=}}`
    private mutating func setDelimiters(_ state: inout State) throws(TemplateError) {
        skip(while: Self.isSpace)
        let openStart = index
        skip(while: { !Self.isSpace($0) })
        let open = Array(bytes[openStart..<index])
        skip(while: Self.isSpace)
        let closeStart = index
        skip(while: { !Self.isSpace($0) && $0 != UInt8(ascii: "=") })
        let close = Array(bytes[closeStart..<index])
        skip(while: Self.isSpace)
        guard !atEnd, bytes[index] == UInt8(ascii: "="), !open.isEmpty, !close.isEmpty else { throw error("invalid set-delimiter tag") }
        index += 1
        guard matches(state.close, at: index) else { throw error("invalid set-delimiter tag") }
        index += state.close.count
        state.open = open
        state.close = close
        state.parentTopLevel = false
    }

    /// `{{% CONTENT_TYPE: HTML}}` (escape variables, the default) or `TEXT` (do not).
    private mutating func pragma(_ state: State) throws(TemplateError) -> Bool {
        func word() -> String {
            skip(while: Self.isSpace)
            let start = index
            skip(while: { Self.isNameByte($0) })
            let word = string(start..<index)
            skip(while: Self.isSpace)
            return word
        }
        let variable = word()
        guard !atEnd, bytes[index] == UInt8(ascii: ":") else { throw error("expected {{% CONTENT_TYPE: HTML}}") }
        index += 1
        let value = word()
        try expectClose(state)
        guard variable == "CONTENT_TYPE" else { throw error("unknown setting \(variable)") }
        switch value {
        case "HTML": return true
        case "TEXT": return false
        default: throw error("unknown content type \(value)")
        }
    }
}
