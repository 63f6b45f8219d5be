/// One problem in an input file, printed for people as `file:line: field: message`.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible, Comparable {
    public enum Severity: String, Sendable { case error, warning }

    public var file: String
    public var line: Int?
    public var field: String?
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int? = nil, field: String? = nil, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        self.severity = severity
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if severity == .warning { text += "warning: " }
        if let field { text += "\(field): " }
        return text + message
    }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.file, lhs.line ?? 0, lhs.field ?? "") < (rhs.file, rhs.line ?? 0, rhs.field ?? "")
    }
}

/// Several problems found together; a command prints them all, then exits non-zero.
public struct Diagnostics: Error, Equatable, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}
