import MentorCore

/// A JSON value that serialises deterministically (keys in the order given) and safely
/// inside an HTML `<script>` element: `<`, `>`, `&` and U+2028/2029 are written as `\u`
/// escapes, so no value can close the element or open a comment.
enum JSON: Sendable {
    case string(String)
    case number(String)
    case array([JSON])
    case object([(String, JSON)])

    /// An object without its nil members.
    static func object(_ members: KeyValuePairs<String, JSON?>) -> JSON {
        .object(members.compactMap { key, value in value.map { (key, $0) } })
    }

    var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .string(let value): JSON.writeString(value, to: &out)
        case .number(let value): out += value
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                JSON.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ value: String, to out: inout String) {
        WebText.appendJSONString(value, to: &out)
    }
}
