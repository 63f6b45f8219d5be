import Foundation
import MentorCore

/// Reads one `content/mentors/*.md` file into a `MentorProfile`: front matter (full YAML)
/// through `ProfileReader`, which reports every problem with its line and field (the
/// content keys are listed in README.md, "Content"), then the bio.
public enum MentorSource {
    /// Files larger than this are refused before parsing: cmark's time and memory grow with
    /// the input, and no real bio comes close.
    public static let maximumFileBytes = 256 * 1024

    public static func parse(_ text: String, file: String, defaultCurrency: String) -> Result<MentorProfile, Diagnostics> {
        let document: FrontMatter
        do {
            document = try FrontMatter.split(text, file: file)
        } catch {
            return .failure(Diagnostics([error]))
        }
        var yaml = YAMLReader(file: file, text: document.yaml, lineOffset: document.yamlLineOffset, parser: FullYAML.parse)
        return ProfileReader.read(&yaml, bio: document.body, defaultCurrency: defaultCurrency)
    }
}
