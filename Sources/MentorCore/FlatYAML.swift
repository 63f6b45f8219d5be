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
        var text = text
        // One pass over the contiguous UTF-8 bytes, a line at a time by index (splitting
        // into arrays of lines cost more than the scan).
        return text.withUTF8 { bytes -> [(key: String, value: String, line: Int)]? in
            var result: [(key: String, value: String, line: Int)] = []
            var keys = Set<String>()
            var lineNumber = 0
            var lineStart = 0
            while lineStart <= bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                switch parse(bytes, lineStart, lineEnd) {
                case .unsupported: return nil
                case .blank: break
                case .pair(let key, let value):
                    guard keys.insert(key).inserted else { return nil }
                    result.append((key, value, lineNumber))
                }
                lineStart = lineEnd + 1
            }
            return result
        }
    }

    private enum Line {
        case blank  // or a comment
        case pair(String, String)
        case unsupported
    }

    /// The line `bytes[lineStart..<lineEnd]`, without its line break.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> Line {
        var index = lineStart
        // Blank and comment lines; any other indented line belongs to something nested.
        while index < lineEnd, bytes[index] == 0x20 { index += 1 }
        if index == lineEnd || bytes[index] == UInt8(ascii: "#") { return .blank }
        guard index == lineStart, isKeyStart(bytes[index]) else { return .unsupported }
        while index < lineEnd, isKey(bytes[index]) { index += 1 }
        let keyEnd = index
        guard index < lineEnd, bytes[index] == UInt8(ascii: ":") else { return .unsupported }
        index += 1
        guard index == lineEnd || bytes[index] == 0x20 else { return .unsupported }
        while index < lineEnd, bytes[index] == 0x20 { index += 1 }
        let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<keyEnd]), as: UTF8.self)
        if index == lineEnd || bytes[index] == UInt8(ascii: "#") { return .pair(key, "") }
        guard isValueStart(bytes[index]) else { return .unsupported }
        let start = index
        var end = index
        while index < lineEnd {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < lineEnd ? bytes[index + 1] : nil
            if byte == 0x20, next == UInt8(ascii: "#") { break }  // a comment
            if byte < 0x20 || byte == 0x7F { return .unsupported }  // tabs, CR and other controls
            if byte == UInt8(ascii: ":"), next == nil || next == 0x20 { return .unsupported }  // "a: b: c"
            // Breaks YAML knows beyond \n (NEL, U+2028, U+2029) and a byte-order mark.
            if byte == 0xC2, next == 0x85 { return .unsupported }
            if byte == 0xE2, next == 0x80, index + 2 < lineEnd, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { return .unsupported }
            if byte == 0xEF, next == 0xBB { return .unsupported }
            if byte != 0x20 { end = index + 1 }
            index += 1
        }
        return .pair(key, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
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
