import MentorCore
import Mustache

/// Mustache's HTML escaping, done on bytes. Templates opt in with `{{% CONTENT_TYPE: HTML}}`
/// on their first line (the name is resolved when a template is parsed); it escapes the
/// same five characters as the built-in one, about ten times faster (`make bench`).
struct HTMLEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String { HTML.escape(text) }

    /// Registers the escaper under the name `HTML`, once, before templates are parsed.
    static let register: Void = MustacheContentTypes.register(HTMLEscaping(), named: "HTML")
}
