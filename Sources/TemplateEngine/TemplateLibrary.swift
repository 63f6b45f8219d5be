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
