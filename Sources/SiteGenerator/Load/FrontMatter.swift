import MentorCore

/// A Markdown file split into its YAML front matter and its body.
public struct FrontMatter: Equatable, Sendable {
    public var yaml: String
    /// Lines before the YAML text (the opening `---`), to turn YAML lines into file lines.
    public var yamlLineOffset: Int
    public var body: String
    public var bodyStartLine: Int

    /// Splits `text`, which must start with a `---` line and close the front matter with
    /// another `---` (or `...`) line. Scans UTF-8 bytes: bios can be long.
    public static func split(_ text: String, file: String) throws(Diagnostic) -> FrontMatter {
        let bytes = Array(text.utf8)
        var lineStart = 0
        var lineNumber = 0
        var yamlStart: Int?
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            lineNumber += 1
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = bytes[lineStart..<contentEnd]
            if let start = yamlStart {
                if line.elementsEqual("---".utf8) || line.elementsEqual("...".utf8) {
                    let bodyStart = min(bytes.count, lineEnd + 1)
                    return FrontMatter(
                        yaml: String(decoding: bytes[start..<max(start, lineStart - 1)], as: UTF8.self), yamlLineOffset: 1,
                        body: String(decoding: bytes[bodyStart...], as: UTF8.self), bodyStartLine: lineNumber + 1)
                }
            } else {
                guard line.elementsEqual("---".utf8) else {
                    throw Diagnostic(file: file, line: 1, message: "expected front matter: the file must start with a line \"---\"")
                }
                yamlStart = min(bytes.count, lineEnd + 1)
            }
            lineStart = lineEnd + 1
        }
        throw Diagnostic(file: file, line: 1, message: "front matter is not closed: add a line \"---\" after it")
    }
}
