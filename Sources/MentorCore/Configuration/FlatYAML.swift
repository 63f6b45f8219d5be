/// The reader for flat YAML: `key: value` lines with plain or quoted one-line values,
/// comments and blank lines, like `mentorsite.yml`. The booking CGI reads the
/// configuration on every request, without a YAML library (a full document model cost
/// about a sixth of a request, measured); this scan costs microseconds. `YAMLReader`
/// also tries it first on front matter, and parses what it does not take with the full
/// parser.
///
/// It takes only what it reads exactly as YAML does and names the first line it does not
/// (lists, nesting, continuation lines, tabs, anchors, tags, directives, block scalars,
/// quoted keys, rare escapes, duplicate keys, odd line breaks…). A unit test holds it to
/// Yams' result on every text it accepts.
enum FlatYAML {
    typealias Pair = (key: String, value: String, plain: Bool, line: Int)

    enum Reading {
        /// Keys with their values (`""` for `key:`), whether each was written plain
        /// (unquoted), and 1-based line numbers.
        case pairs([Pair])
        /// The first line (1-based) this reader does not take, and why.
        case unsupported(line: Int, reason: String)
    }

    static let notFlat = "only one `key: value` per line is read here (the value plain or in quotes on the same line, comments and blank lines around)"

    /// The pairs, or nil when the text is not flat YAML.
    static func pairs(in text: String) -> [Pair]? {
        if case .pairs(let pairs) = read(text) { return pairs }
        return nil
    }

    static func read(_ text: String) -> Reading {
        var text = text
        // One pass over the contiguous UTF-8 bytes, a line at a time by index (splitting
        // into arrays of lines cost more than the scan).
        return text.withUTF8 { bytes -> Reading in
            var result: [Pair] = []
            var keys = Set<String>()
            var lineNumber = 0
            var lineStart = 0
            var documentStart = false
            while lineStart <= bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                if lineNumber == 1, lineEnd - lineStart == 3, bytes[lineStart] == 0x2D, bytes[lineStart + 1] == 0x2D, bytes[lineStart + 2] == 0x2D {
                    lineStart = lineEnd + 1  // "---": the document starts
                    documentStart = true
                    continue
                }
                switch parse(bytes, lineStart, lineEnd) {
                case .unsupported(let reason): return .unsupported(line: lineNumber, reason: reason)
                case .blank: break
                case .pair(let key, let value, let plain):
                    guard keys.insert(key).inserted else { return .unsupported(line: lineNumber, reason: "duplicate key \"\(key)\"") }
                    result.append((key, value, plain, lineNumber))
                }
                lineStart = lineEnd + 1
            }
            // After "---", YAML reads nothing at all as an empty scalar, not a mapping.
            if documentStart && result.isEmpty { return .unsupported(line: 1, reason: notFlat) }
            return .pairs(result)
        }
    }

    private enum Line {
        case blank  // or a comment
        case pair(String, String, plain: Bool)
        case unsupported(String)
    }

    /// The line `bytes[lineStart..<lineEnd]`, without its line break.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> Line {
        var index = lineStart
        // Blank and comment lines; any other indented line belongs to something nested.
        while index < lineEnd, bytes[index] == 0x20 { index += 1 }
        if index == lineEnd || bytes[index] == UInt8(ascii: "#") { return .blank }
        guard index == lineStart, isKeyStart(bytes[index]) else { return .unsupported(notFlat) }
        while index < lineEnd, isKey(bytes[index]) { index += 1 }
        let keyEnd = index
        guard index < lineEnd, bytes[index] == UInt8(ascii: ":") else { return .unsupported(notFlat) }
        index += 1
        guard index == lineEnd || bytes[index] == 0x20 else { return .unsupported(notFlat) }
        while index < lineEnd, bytes[index] == 0x20 { index += 1 }
        let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<keyEnd]), as: UTF8.self)
        if index == lineEnd || bytes[index] == UInt8(ascii: "#") { return .pair(key, "", plain: true) }
        if bytes[index] == UInt8(ascii: "'") || bytes[index] == UInt8(ascii: "\"") {
            return quoted(bytes, index, lineEnd).map { .pair(key, $0, plain: false) } ?? .unsupported(notFlat)
        }
        guard isValueStart(bytes[index]) else { return .unsupported(notFlat) }
        let start = index
        var end = index
        while index < lineEnd {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < lineEnd ? bytes[index + 1] : nil
            if byte == 0x20, next == UInt8(ascii: "#") { break }  // a comment
            if isForbidden(bytes, index, lineEnd) { return .unsupported(notFlat) }
            if byte == UInt8(ascii: ":"), next == nil || next == 0x20 { return .unsupported(notFlat) }  // "a: b: c"
            if byte != 0x20 { end = index + 1 }
            index += 1
        }
        return .pair(key, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), plain: true)
    }

    /// A quoted value from `start` (its opening quote) to the end of the line, where only
    /// spaces and a comment may follow the closing quote; nil for anything else.
    /// Single quotes escape only `''`; double quotes take `\\ \" \/ \n \t \r \0` and
    /// `\uXXXX` outside the surrogates, the rest is refused rather than guessed.
    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ lineEnd: Int) -> String? {
        let quote = bytes[start]
        var value: [UInt8] = []
        var index = start + 1
        var closed = false
        while index < lineEnd {
            let byte = bytes[index]
            if isForbidden(bytes, index, lineEnd) { return nil }
            if byte == quote {
                if quote == UInt8(ascii: "'"), index + 1 < lineEnd, bytes[index + 1] == quote {
                    value.append(quote)
                    index += 2
                    continue
                }
                closed = true
                index += 1
                break
            }
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                guard index + 1 < lineEnd else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "/"): value.append(bytes[index + 1])
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "0"): value.append(0x00)
                case UInt8(ascii: "u"):
                    guard index + 6 <= lineEnd, let code = hex(bytes, index + 2, 4), !(0xD800...0xDFFF).contains(code),
                          let scalar = Unicode.Scalar(code) else { return nil }
                    value.append(contentsOf: String(Character(scalar)).utf8)
                    index += 4
                default: return nil
                }
                index += 2
                continue
            }
            value.append(byte)
            index += 1
        }
        guard closed else { return nil }
        // After the closing quote: nothing, or spaces and then nothing or a comment.
        guard index == lineEnd || bytes[index] == 0x20 else { return nil }
        while index < lineEnd, bytes[index] == 0x20 { index += 1 }
        guard index == lineEnd || bytes[index] == UInt8(ascii: "#") else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> UInt32? {
        var code: UInt32 = 0
        for index in start..<start + count {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            code = code * 16 + UInt32(digit)
        }
        return code
    }

    /// Tabs, CR and other controls; the breaks YAML knows beyond \n (NEL, U+2028, U+2029)
    /// and a byte-order mark.
    private static func isForbidden(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ lineEnd: Int) -> Bool {
        let byte = bytes[index]
        let next: UInt8? = index + 1 < lineEnd ? bytes[index + 1] : nil
        if byte < 0x20 || byte == 0x7F { return true }
        if byte == 0xC2, next == 0x85 { return true }
        if byte == 0xE2, next == 0x80, index + 2 < lineEnd, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 { return true }
        if byte == 0xEF, next == 0xBB { return true }
        return false
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
