import MentorCore

/// A Markdown file split into its YAML front matter and its body.
public struct FrontMatter: Equatable, Sendable {
    public var yaml: String
    /// Lines before the YAML text (the opening `---`), to turn YAML lines into file lines.
    public var yamlLineOffset: Int
    public var body: String
    public var bodyStartLine: Int

    /// Splits `text`, which must start with a `---` line and close the front matter with
    /// another `---` (or `...`) line.
    public static func split(_ text: String, file: String) throws(Diagnostic) -> FrontMatter {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.trimmingTrailingCR() == "---" else {
            throw Diagnostic(file: file, line: 1, message: "expected front matter: the file must start with a line \"---\"")
        }
        var yamlLines: [Substring] = []
        var lineNumber = 1
        while let line = lines.popFirst() {
            lineNumber += 1
            let trimmed = line.trimmingTrailingCR()
            if trimmed == "---" || trimmed == "..." {
                return FrontMatter(
                    yaml: yamlLines.joined(separator: "\n"), yamlLineOffset: 1,
                    body: lines.joined(separator: "\n"), bodyStartLine: lineNumber + 1)
            }
            yamlLines.append(line)
        }
        throw Diagnostic(file: file, line: 1, message: "front matter is not closed: add a line \"---\" after it")
    }
}

extension Substring {
    fileprivate func trimmingTrailingCR() -> Substring { last == "\r" ? dropLast() : self }
}
