import MentorCore
import TemplateEngine

/// The profile editor's form: every field a mentor edits, named by its content key
/// (`name`, `title`, `bio`, `specialties` one per line, `education[0][degree]` …), read back
/// through `ProfileReader`, the rules `import` applies to content files: the same values,
/// the same messages, per field. Rows are added, removed and moved with buttons, so the form
/// works without JavaScript.
struct ProfileForm: Equatable {
    /// The keys this form edits; every other key keeps the profile's value.
    static let textKeys = ["name", "title", "specialty", "location", "gender", "avatar_url", "meeting_url", "experience_years", "hourly_rate", "currency",
                           "session_minutes", "timezone"]
    static let listKeys = ["specialties", "languages", "therapy_types"]
    static let rowFields = ["education": ["degree", "institution", "year"], "experience": ["title", "place", "duration"]]
    static let numberKeys: Set<String> = ["experience_years", "hourly_rate", "session_minutes", "year"]

    var text: [String: String] = [:]
    var bio = ""
    var lists: [String: [String]] = [:]
    var rows: [String: [[String: String]]] = ["education": [], "experience": []]

    init(_ profile: MentorProfile) {
        for (key, value) in ProfileWriter.mapping(profile) {
            switch value {
            case .scalar(let text, _, _) where Self.textKeys.contains(key): self.text[key] = text
            case .sequence(let items, _) where Self.listKeys.contains(key):
                lists[key] = items.compactMap { if case .scalar(let text, _, _) = $0 { text } else { nil } }
            case .sequence(let items, _) where Self.rowFields[key] != nil:
                rows[key] = items.compactMap { item in
                    guard case .mapping(let fields, _) = item else { return nil }
                    var row: [String: String] = [:]
                    for field in fields { if case .scalar(let text, _, _) = field.value { row[field.key] = text } }
                    return row
                }
            default: break
            }
        }
        bio = profile.bio
    }

    /// The form as posted. Rows come in their index order; empty ones are kept while the
    /// form is being edited and dropped when it is read.
    init(_ form: FormData) {
        for key in Self.textKeys { text[key] = WebText.trimmingWhitespace(form[key] ?? "") }
        // Browsers send a textarea's line breaks as CR LF (HTML § 4.10.11): content files and
        // the database keep LF.
        bio = Self.lineFeeds(form["bio"] ?? "")
        for key in Self.listKeys {
            lists[key] = (form[key] ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                .map { WebText.trimmingWhitespace(String($0)) }.filter { !$0.isEmpty }
        }
        for (key, fields) in Self.rowFields {
            var found: [(Int, [String: String])] = []
            for index in 0..<50 {
                var row: [String: String] = [:]
                for field in fields { if let value = form["\(key)[\(index)][\(field)]"] { row[field] = WebText.trimmingWhitespace(value) } }
                if !row.isEmpty { found.append((index, row)) }
            }
            rows[key] = found.map(\.1)
        }
    }

    /// Text with every CR LF and lone CR turned into LF (on scalars: Swift counts CR LF as
    /// one `Character`).
    static func lineFeeds(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
            } else if !(scalar == "\n" && previousCR) {
                out.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return String(out)
    }

    /// Applies a row button: `education:add`, `experience:remove:2`, `education:up:1`.
    mutating func apply(_ action: String) {
        let parts = action.split(separator: ":").map(String.init)
        guard parts.count >= 2, let fields = Self.rowFields[parts[0]], var list = rows[parts[0]] else { return }
        switch (parts[1], parts.count > 2 ? Int(plainDigits: parts[2]) : nil) {
        case ("add", _) where list.count < 50: list.append(Dictionary(uniqueKeysWithValues: fields.map { ($0, "") }))
        case ("remove", let index?) where list.indices.contains(index): list.remove(at: index)
        case ("up", let index?) where index > 0 && list.indices.contains(index): list.swapAt(index, index - 1)
        default: return
        }
        rows[parts[0]] = list
    }

    /// The profile with this form's values over `base`'s, as `ProfileReader` reads it.
    func read(over base: MentorProfile, defaultCurrency: String) -> Result<MentorProfile, Diagnostics> {
        var entries: [(key: String, value: YAMLNode)] = ProfileWriter.mapping(base).filter { entry in
            !Self.textKeys.contains(entry.key) && !Self.listKeys.contains(entry.key) && Self.rowFields[entry.key] == nil
        }
        func scalar(_ key: String, _ value: String) -> YAMLNode {
            // Empty is "no value"; numbers are written plain, text quoted.
            .scalar(value, plain: value.isEmpty || Self.numberKeys.contains(key), line: nil)
        }
        for key in Self.textKeys where !(text[key] ?? "").isEmpty { entries.append((key, scalar(key, text[key]!))) }
        for key in Self.listKeys where !(lists[key] ?? []).isEmpty {
            entries.append((key, .sequence(lists[key]!.map { .scalar($0, plain: false, line: nil) }, line: nil)))
        }
        for (key, fields) in Self.rowFields.sorted(by: { $0.key < $1.key }) {
            let filled = (rows[key] ?? []).filter { row in row.values.contains { !$0.isEmpty } }
            guard !filled.isEmpty else { continue }
            entries.append((key, .sequence(filled.map { row in
                .mapping(fields.compactMap { field in
                    guard let value = row[field], !value.isEmpty else { return nil }
                    return (key: field, value: scalar(field, value), line: nil)
                }, line: nil)
            }, line: nil)))
        }
        var reader = YAMLReader(file: "profile", mapping: entries)
        return ProfileReader.read(&reader, bio: bio, defaultCurrency: defaultCurrency)
    }

    /// `education[1].degree` → `education-1-degree`: the id of the input a message is about.
    static func inputID(_ field: String) -> String {
        var id = ""
        for character in field {
            switch character {
            case "[", ".": if id.last != "-" { id.append("-") }
            case "]": continue
            default: id.append(character)
            }
        }
        return id.hasSuffix("-") ? String(id.dropLast()) : id
    }

    /// `education[1][degree]`: an input's name in the posted form.
    static func inputName(_ key: String, _ index: Int, _ field: String) -> String { "\(key)[\(index)][\(field)]" }
}
