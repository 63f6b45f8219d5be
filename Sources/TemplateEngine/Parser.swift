/// The parser: a byte scanner with swift-mustache's rules for whitespace around tags.
struct Parser {
    let bytes: [UInt8]
    var index = 0
    /// Every `{{> name}}` and `{{< name}}`, with the byte offset of its name.
    var references: [(name: String, offset: Int)] = []

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
        references.append((name, start))
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
