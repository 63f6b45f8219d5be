/// Text encodings both programs need: JSON strings and URL components.
public enum WebText {
    /// A JSON string literal (RFC 8259) that is also safe inside an HTML `<script>`
    /// element: `<`, `>`, `&` and U+2028/2029 are `\u` escapes, so no value can close the
    /// element or open a comment.
    public static func jsonString(_ value: String) -> String {
        var out = ""
        appendJSONString(value, to: &out)
        return out
    }

    public static func appendJSONString(_ value: String, to out: inout String) {
        out += "\""
        // Most strings need no escaping: append them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0xE2 }) {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Percent-encodes a URL path segment or query value (RFC 3986: unreserved kept).
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `parts.joined(separator:)` by plain appends. The standard library's version is not
    /// specialized for `[String]`: its first call in a process resolves associated types
    /// by scanning every protocol conformance record (0.25 M instructions of a CGI request).
    public static func join(_ parts: [String], separator: String = "") -> String {
        var result = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { result += separator }
            result += part
        }
        return result
    }

    /// The text without leading and trailing whitespace and line breaks, Unicode ones
    /// included (form fields, YAML values).
    public static func trimmingWhitespace(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    /// The text without leading and trailing ASCII spaces, tabs and line breaks (headers,
    /// cookies, key files: protocol text, where Unicode spaces are not whitespace).
    public static func trimmed(_ text: String) -> String { trimmed(text[...]) }

    public static func trimmed(_ text: Substring) -> String {
        let bytes = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Base64url without padding (RFC 4648 §5).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0...count { out.append(base64URLAlphabet[Int(group >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of unpadded base64url text, or nil for anything else, including a second
    /// spelling of the same bytes (unused low bits set in the last character): one value,
    /// one spelling.
    public static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "_"): values.append(63)
            default: return nil
            }
        }
        let tail = values.count % 4
        guard tail != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var group: UInt32 = 0
            for position in 0..<4 { group = group << 6 | UInt32(position < count ? values[index + position] : 0) }
            let produced = count - 1
            // Bits below the last whole byte must be zero.
            if count < 4, group & ((1 << (8 * (3 - produced))) - 1) != 0 { return nil }
            for position in 0..<produced { out.append(UInt8(truncatingIfNeeded: group >> (16 - 8 * position))) }
            index += 4
        }
        return out
    }
}
