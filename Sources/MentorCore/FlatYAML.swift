/// The fast path of `YAMLReader` for the common flat file: `key: value` lines of plain
/// scalars, comments and blank lines, like `mentorsite.yml`. The booking CGI reads the
/// configuration on every request, and Yams' document model cost about a sixth of a
/// request (measured); this scan costs microseconds.
///
/// It returns nil for anything it does not handle exactly as YAML does (quotes, lists,
/// nesting, continuation lines, tabs, anchors, tags, directives, duplicate keys, odd
/// line breaks…), and the caller then parses the text with Yams. A unit test holds the two
/// to the same result on every text this accepts.
enum FlatYAML {
    /// Keys with their plain scalar values (`""` for `key:`) and 1-based line numbers.
    static func pairs(in text: String) -> [(key: String, value: String, line: Int)]? {
        var result: [(key: String, value: String, line: Int)] = []
        var lineNumber = 0
        var keys = Set<String>()
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            switch parse(line) {
            case .unsupported: return nil
            case .blank: continue
            case .pair(let key, let value):
                guard keys.insert(key).inserted else { return nil }
                result.append((key, value, lineNumber))
            }
        }
        return result
    }

    private enum Line {
        case blank  // or a comment
        case pair(String, String)
        case unsupported
    }

    private static func parse(_ line: Substring.UTF8View) -> Line {
        let bytes = Array(line)
        var index = 0
        // Blank and comment lines; any other indented line belongs to something nested.
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        if index == bytes.count || bytes[index] == UInt8(ascii: "#") { return .blank }
        guard index == 0, isKeyStart(bytes[0]) else { return .unsupported }
        while index < bytes.count, isKey(bytes[index]) { index += 1 }
        let keyEnd = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return .unsupported }
        index += 1
        guard index == bytes.count || bytes[index] == 0x20 else { return .unsupported }
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        let key = String(decoding: bytes[..<keyEnd], as: UTF8.self)
        if index == bytes.count || bytes[index] == UInt8(ascii: "#") { return .pair(key, "") }
        guard isValueStart(bytes[index]) else { return .unsupported }
        let start = index
        var end = index
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            if byte == 0x20, next == UInt8(ascii: "#") { break }  // a comment
            if byte < 0x20 || byte == 0x7F { return .unsupported }  // tabs, CR and other controls
            if byte == UInt8(ascii: ":"), next == nil || next == 0x20 { return .unsupported }  // "a: b: c"
            // Breaks YAML knows beyond \n (NEL, U+2028, U+2029) and a byte-order mark.
            if byte == 0xC2, next == 0x85 { return .unsupported }
            if byte == 0xE2, next == 0x80, index + 2 < bytes.count, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { return .unsupported }
            if byte == 0xEF, next == 0xBB { return .unsupported }
            if byte != 0x20 { end = index + 1 }
            index += 1
        }
        return .pair(key, String(decoding: bytes[start..<end], as: UTF8.self))
    }

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    private static func isKey(_ byte: UInt8) -> Bool {
        isKeyStart(byte) || byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: "-")
    }

    /// Letters, digits and a few punctuation marks that are no YAML indicator.
    private static func isValueStart(_ byte: UInt8) -> Bool {
        isKey(byte) && byte != UInt8(ascii: "-") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "(")
    }
}
