/// The partials and parents a Mustache template names (`{{> name}}`, `{{< name}}`), with
/// their lines: the generator checks them before a build, and the CGI loads only those.
/// Scans UTF-8 bytes once (it runs on every booking request). Dynamic names (`{{>*x}}`)
/// are left out: nothing can check or preload them.
public enum TemplateReferences {
    public static func partials(in text: String) -> [(name: String, line: Int)] {
        var result: [(name: String, line: Int)] = []
        let bytes = Array(text.utf8)
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { line += 1 }
            guard byte == UInt8(ascii: "{"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            var cursor = index + 2
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ">") || bytes[cursor] == UInt8(ascii: "<") else {
                index += 2
                continue
            }
            var end = cursor + 1
            while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "}") && bytes[end + 1] == UInt8(ascii: "}")), bytes[end] != UInt8(ascii: "\n") {
                end += 1
            }
            guard end + 1 < bytes.count, bytes[end] == UInt8(ascii: "}") else {
                index = end
                continue
            }
            let name = String(decoding: bytes[(cursor + 1)..<end], as: UTF8.self).trimmingASCIISpaces
            if !name.isEmpty && !name.hasPrefix("*") { result.append((name, line)) }
            index = end + 2
        }
        return result
    }
}

extension String {
    var trimmingASCIISpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
