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
        references = parser.references
    }

    /// The templates this one includes (`{{> name}}`) or extends (`{{< name}}`), with the
    /// byte offset of each name in the text, in the order they appear: found by the parser,
    /// so a set-delimiter tag cannot hide one. The generator checks them before a build
    /// (`line(of:in:)` turns an offset into the line it names); the CGI parses only these.
    public let references: [(name: String, offset: Int)]

    /// The 1-based line of a byte offset in `text`.
    public static func line(of offset: Int, in text: String) -> Int {
        1 + text.utf8.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The names in `references`, each once.
    public var partials: [String] {
        var names: [String] = []
        for reference in references where !names.contains(reference.name) { names.append(reference.name) }
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
