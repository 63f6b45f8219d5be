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
