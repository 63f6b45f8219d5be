/// A YAML value, as much of it as `YAMLReader` uses. Lines are 1-based within the parsed
/// text (nil when the parser gave none).
public indirect enum YAMLNode: Sendable {
    case scalar(String, plain: Bool, line: Int?)
    case sequence([YAMLNode], line: Int?)
    case mapping([(key: String, value: YAMLNode, line: Int?)], line: Int?)
    case alias(line: Int?)

    public var line: Int? {
        switch self {
        case .scalar(_, _, let line), .sequence(_, let line), .mapping(_, let line), .alias(let line): line
        }
    }
}

/// Invalid YAML, as a parser reports it.
public struct YAMLSyntaxError: Error, Sendable {
    /// 1-based within the parsed text; nil when unknown (the reader then names the first line).
    public var line: Int?
    public var field: String?
    public var message: String

    public init(line: Int?, field: String? = nil, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
}

/// Full YAML: text → the root node (nil for an empty document). MentorCore has none, so
/// that the booking CGI links no YAML library; the content side passes `FullYAML.parse`
/// (SiteGenerator, on Yams).
public typealias YAMLParser = (String) throws -> YAMLNode?

/// Reads a YAML mapping field by field, collecting a `Diagnostic` with file, line and field
/// for every wrong type, unknown key or bad value instead of stopping at the first.
public struct YAMLReader {
    public let file: String
    /// Added to the parser's line numbers (front matter starts after the `---` line).
    public let lineOffset: Int
    public private(set) var diagnostics: [Diagnostic] = []
    /// True when the text is not valid YAML (or not a mapping): other checks would only
    /// add noise, so callers report this alone.
    public private(set) var isUnreadable = false
    private let mapping: [(key: String, value: Value, line: Int)]

    /// A value from the full parser, or a scalar read by the flat reader (`FlatYAML`).
    private enum Value {
        case node(YAMLNode)
        case flat(String, plain: Bool)
    }
    /// Prepended to field names in diagnostics, e.g. `education[0].`.
    private let prefix: String

    /// Parses `text`; syntax errors become diagnostics. Flat `key: value` text is read
    /// without a parser; anything else needs `parser`, and without one (the configuration,
    /// which the booking CGI reads too) it is reported at its first line that is not flat.
    public init(file: String, text: String, lineOffset: Int = 0, parser: YAMLParser? = nil) {
        self.file = file
        self.lineOffset = lineOffset
        self.prefix = ""
        var pairs: [(String, Value, Int)] = []
        let flat = FlatYAML.read(text)
        if case .pairs(let flat) = flat {
            self.mapping = flat.map { (key: $0.key, value: .flat($0.value, plain: $0.plain), line: $0.line + lineOffset) }
            return
        }
        if let parser {
            do {
                if let root = try parser(text) {
                    if case .mapping(let map, _) = root {
                        for entry in map { pairs.append((entry.key, .node(entry.value), (entry.line ?? 1) + lineOffset)) }
                    } else {
                        diagnostics.append(Diagnostic(file: file, line: (root.line ?? 1) + lineOffset, message: "expected a mapping of keys to values"))
                        isUnreadable = true
                    }
                }
            } catch let error as YAMLSyntaxError {
                diagnostics.append(Diagnostic(file: file, line: (error.line ?? 1) + lineOffset, field: error.field, message: error.message))
                isUnreadable = true
            } catch {
                diagnostics.append(Diagnostic(file: file, line: lineOffset + 1, message: "invalid YAML: \(error)"))
                isUnreadable = true
            }
        } else if case .unsupported(let line, let reason) = flat {
            diagnostics.append(Diagnostic(file: file, line: line + lineOffset, message: reason))
            isUnreadable = true
        }
        var seen = Set<String>()
        for pair in pairs where !seen.insert(pair.0).inserted {
            diagnostics.append(Diagnostic(file: file, line: pair.2, field: pair.0, message: "duplicate key"))
        }
        self.mapping = pairs.map { (key: $0.0, value: $0.1, line: $0.2) }
    }

    public var keys: [String] { mapping.map(\.key) }

    /// The line of a key, or of the start of the mapping.
    public func line(of key: String) -> Int {
        mapping.first { $0.key == key }?.line ?? lineOffset + 1
    }

    /// Reports every key not in `known`.
    public mutating func rejectUnknownKeys(_ known: some Collection<String>) {
        for entry in mapping where !known.contains(entry.key) {
            let suggestion = known.min { editDistance($0, entry.key) < editDistance($1, entry.key) }
            let hint = suggestion.flatMap { editDistance($0, entry.key) <= 2 ? " (did you mean \"\($0)\"?)" : nil } ?? ""
            report(entry.line, entry.key, "unknown key\(hint)")
        }
    }

    public mutating func report(_ line: Int, _ field: String, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: line, field: prefix + field, message: message))
    }

    private func node(_ key: String) -> (Value, Int)? {
        // By index: `first(where:)` copies every entry it passes, node and all.
        guard let index = mapping.indices.first(where: { mapping[$0].key == key }) else { return nil }
        if let (text, plain) = scalar(mapping[index].value), plain {
            switch text {
            case "", "~", "null", "Null", "NULL": return nil
            default: break
            }
        }
        return (mapping[index].value, mapping[index].line)
    }

    /// The text of a scalar and whether it was written plain (unquoted).
    private func scalar(_ value: Value) -> (String, plain: Bool)? {
        switch value {
        case .flat(let text, let plain): (text, plain)
        case .node(.scalar(let text, let plain, _)): (text, plain)
        case .node: nil
        }
    }

    /// A string value; numbers and booleans written without quotes are refused, so that
    /// `name: 1e3` or `name: yes` never turns into something else silently.
    public mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let (value, line) = node(key) else {
            if required { report(line(of: key), key, "is required") }
            return nil
        }
        return scalarString(value, line: line, field: key, required: required)
    }

    private mutating func scalarString(_ value: Value, line: Int, field: String, required: Bool = false) -> String? {
        guard let (string, _) = scalar(value) else {
            if case .node(let node) = value { report(node.line.map { $0 + lineOffset } ?? line, field, "expected text") }
            return nil
        }
        let text = WebText.trimmingWhitespace(string)
        if text.isEmpty {
            if required { report(line, field, "must not be empty") }
            return nil
        }
        if let problem = PlainText.problem(text) {
            report(line, field, problem)
            return nil
        }
        return text
    }

    /// An integer written as plain digits, within `range`.
    public mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let (value, line) = node(key) else { return nil }
        guard let (text, _) = scalar(value), text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text) else {
            report(line, key, "expected a whole number, found \(describe(value))")
            return nil
        }
        guard range.contains(number) else {
            report(line, key, "\(number) is outside \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return number
    }

    /// A decimal number such as `4.8`, within `range`.
    public mutating func decimal(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let (value, line) = node(key) else { return nil }
        guard let (text, _) = scalar(value), isPlainDecimal(text), let number = Double(text) else {
            report(line, key, "expected a number, found \(describe(value))")
            return nil
        }
        guard range.contains(number) else {
            report(line, key, "\(text) is outside \(Self.plain(range.lowerBound))–\(Self.plain(range.upperBound))")
            return nil
        }
        return number
    }

    /// The exact text of a decimal scalar (for money, never read through a Double).
    public mutating func decimalText(_ key: String) -> String? {
        guard let (value, line) = node(key) else { return nil }
        guard let (text, _) = scalar(value), isPlainDecimal(text) else {
            report(line, key, "expected a decimal amount such as 120 or 95.50, found \(describe(value))")
            return nil
        }
        return text
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let (value, line) = node(key) else { return nil }
        guard let (text, _) = scalar(value), ["true", "false"].contains(text) else {
            report(line, key, "expected true or false, found \(describe(value))")
            return nil
        }
        return text == "true"
    }

    /// A list of non-empty strings, without duplicates.
    public mutating func stringList(_ key: String) -> [String] {
        guard let (value, line) = node(key) else { return [] }
        guard case .node(.sequence(let sequence, _)) = value else {
            report(line, key, "expected a list, found \(describe(value))")
            return []
        }
        var result: [String] = []
        for item in sequence {
            let itemLine = item.line.map { $0 + lineOffset } ?? line
            guard let text = scalarString(.node(item), line: itemLine, field: key) else {
                if case .scalar = item { report(itemLine, key, "list items must not be empty") }
                continue
            }
            if result.contains(text) {
                report(itemLine, key, "\"\(text)\" is listed twice")
            } else {
                result.append(text)
            }
        }
        return result
    }

    /// A list of mappings, each read by `read` with its own `YAMLReader`.
    public mutating func list<T>(_ key: String, fields: Set<String>, _ read: (inout YAMLReader) -> T?) -> [T] {
        guard let (value, line) = node(key) else { return [] }
        guard case .node(.sequence(let sequence, _)) = value else {
            report(line, key, "expected a list, found \(describe(value))")
            return []
        }
        var result: [T] = []
        for (index, item) in sequence.enumerated() {
            let itemLine = item.line.map { $0 + lineOffset } ?? line
            guard case .mapping(let map, _) = item else {
                report(itemLine, "\(key)[\(index)]", "expected a mapping with \(fields.sorted().joined(separator: ", "))")
                continue
            }
            var child = YAMLReader(file: file, pairs: map.map { ($0.key, .node($0.value), ($0.line ?? 1) + lineOffset) }, lineOffset: lineOffset, prefix: "\(key)[\(index)].")
            child.rejectUnknownKeys(fields)
            if let value = read(&child) { result.append(value) }
            diagnostics += child.diagnostics
        }
        return result
    }

    /// Reads values that did not come from a file (the fields of a web form, as nodes):
    /// problems are reported by field, at line 0.
    public init(file: String, mapping: [(key: String, value: YAMLNode)]) {
        self.init(file: file, pairs: mapping.map { ($0.key, .node($0.value), 0) }, lineOffset: 0, prefix: "")
    }

    private init(file: String, pairs: [(String, Value, Int)], lineOffset: Int, prefix: String) {
        self.file = file
        self.lineOffset = lineOffset
        self.prefix = prefix
        self.mapping = pairs.map { (key: $0.0, value: $0.1, line: $0.2) }
    }

    private func describe(_ value: Value) -> String {
        switch value {
        case .flat(let text, _): return "\"\(text.prefix(40))\""
        case .node(.scalar(let text, _, _)): return "\"\(text.prefix(40))\""
        case .node(.sequence): return "a list"
        case .node(.mapping): return "a mapping"
        case .node(.alias): return "an alias"
        }
    }

    /// `4` for 4.0, `4.5` for 4.5.
    private static func plain(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

private func isPlainDecimal(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count) else { return false }
    return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
