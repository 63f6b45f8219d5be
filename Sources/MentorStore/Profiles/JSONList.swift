import MentorCore
import FoundationEssentials

/// JSON text for a list of strings, the form the seed's array columns take in SQLite.
func encodeList(_ list: [String]) -> String {
    "[" + list.map(WebText.jsonString).joined(separator: ",") + "]"
}

/// Reads a JSON array of strings. Arrays written by `encodeList` take a fast path over
/// UTF-8 bytes; anything unusual (e.g. `\\u` escapes written by another tool) goes to
/// `JSONDecoder`.
func decodeList(_ json: String) -> [String] {
    guard json != "[]" else { return [] }
    var utf8 = Array(json.utf8)[...]
    guard utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]") else { return slowDecodeList(json) }
    utf8 = utf8.dropFirst().dropLast()
    var result: [String] = []
    var current: [UInt8] = []
    var inString = false
    var escaped = false
    for byte in utf8 {
        if inString {
            if escaped {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): current.append(byte)
                case UInt8(ascii: "n"): current.append(0x0A)
                case UInt8(ascii: "r"): current.append(0x0D)
                case UInt8(ascii: "t"): current.append(0x09)
                default: return slowDecodeList(json)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                inString = false
            } else {
                current.append(byte)
            }
        } else if byte == UInt8(ascii: "\"") {
            inString = true
        } else if byte != UInt8(ascii: ","), byte != UInt8(ascii: " ") {
            return slowDecodeList(json)
        }
    }
    return inString ? slowDecodeList(json) : result
}

private func slowDecodeList(_ json: String) -> [String] {
    (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
}
