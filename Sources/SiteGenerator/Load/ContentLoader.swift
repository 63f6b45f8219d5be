import Foundation
import MentorCore

/// A standalone page from `content/pages/<name>.md`, published at `/<slug>/`.
public struct PageSource: Equatable, Sendable {
    public var sourcePath: String
    public var slug: String
    public var title: String
    public var description: String?
    public var body: String
}

/// Everything in the content folder, parsed and validated.
public struct ContentSet: Sendable {
    public var mentors: [(sourcePath: String, profile: MentorProfile)]
    public var pages: [PageSource]
}

/// Reads the content folder: `mentors/*.md` and `pages/*.md`.
public enum ContentLoader {
    /// Parses every content file; any problem anywhere fails the whole load with all
    /// problems listed, so nothing is imported from a half-broken folder.
    public static func load(from folder: String, defaultCurrency: String) throws(Diagnostics) -> ContentSet {
        var diagnostics: [Diagnostic] = []
        let mentorFolder = folder + "/mentors"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: mentorFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Diagnostics([Diagnostic(file: mentorFolder, message: "no such folder; the content folder needs a mentors/ folder of Markdown files")])
        }
        let files = markdownFiles(in: mentorFolder)
        let parsed = parallelMap(files) { name -> Result<MentorProfile, Diagnostics> in
            let path = mentorFolder + "/" + name
            switch readText(path) {
            case .failure(let diagnostic): return .failure(Diagnostics([diagnostic]))
            case .success(let text): return MentorSource.parse(text, file: path, defaultCurrency: defaultCurrency)
            }
        }
        var mentors: [(sourcePath: String, profile: MentorProfile)] = []
        for (name, result) in zip(files, parsed) {
            switch result {
            case .success(let profile): mentors.append(("mentors/" + name, profile))
            case .failure(let problems): diagnostics += problems.items
            }
        }
        // Two files asking for one slug can never both be published.
        var explicit: [String: String] = [:]
        for (path, profile) in mentors {
            guard let slug = profile.explicitSlug else { continue }
            if let other = explicit[slug] {
                diagnostics.append(Diagnostic(file: folder + "/" + path, field: "slug", message: "\"\(slug)\" is also the slug of \(folder)/\(other)"))
            } else {
                explicit[slug] = path
            }
        }
        let pages = loadPages(from: folder + "/pages", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw Diagnostics(diagnostics) }
        return ContentSet(mentors: mentors, pages: pages)
    }

    static func markdownFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
    }

    /// Reads a file as UTF-8 text, refusing files over the size cap before reading them.
    static func readText(_ path: String) -> Result<String, Diagnostic> {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int
        else { return .failure(Diagnostic(file: path, message: "cannot read the file")) }
        guard size <= MentorSource.maximumFileBytes else {
            return .failure(Diagnostic(file: path, message: "file is \(size / 1024) KiB; the limit is \(MentorSource.maximumFileBytes / 1024) KiB"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Diagnostic(file: path, message: "cannot read the file"))
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let line = invalidUTF8Line(data)
            return .failure(Diagnostic(file: path, line: line, message: "is not valid UTF-8 text"))
        }
        if text.utf8.contains(0) {
            return .failure(Diagnostic(file: path, message: "contains a NUL byte"))
        }
        return .success(text)
    }

    private static func invalidUTF8Line(_ data: Data) -> Int {
        var line = 1
        var start = data.startIndex
        for index in data.indices where data[index] == 0x0A {
            if String(validating: data[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }

    static func loadPages(from folder: String, diagnostics: inout [Diagnostic]) -> [PageSource] {
        var pages: [PageSource] = []
        for name in markdownFiles(in: folder) {
            let path = folder + "/" + name
            let text: String
            switch readText(path) {
            case .failure(let diagnostic): diagnostics.append(diagnostic); continue
            case .success(let value): text = value
            }
            let document: FrontMatter
            do { document = try FrontMatter.split(text, file: path) } catch { diagnostics.append(error); continue }
            var yaml = YAMLReader(file: path, text: document.yaml, lineOffset: document.yamlLineOffset, parser: FullYAML.parse)
            if yaml.isUnreadable { diagnostics += yaml.diagnostics; continue }
            yaml.rejectUnknownKeys(["title", "description", "slug"])
            let title = yaml.string("title", required: true)
            let description = yaml.string("description")
            let slug = yaml.string("slug") ?? Slug.make(from: String(name.dropLast(3)))
            if !Slug.isValid(slug) || reservedPageSlugs.contains(slug) {
                yaml.report(yaml.line(of: "slug"), "slug", "\"\(slug)\" cannot be a page URL")
            }
            diagnostics += yaml.diagnostics
            guard let title, yaml.diagnostics.isEmpty else { continue }
            pages.append(PageSource(sourcePath: "pages/" + name, slug: slug, title: title, description: description, body: document.body))
        }
        return pages
    }

    /// Top-level folders the generator writes itself.
    static let reservedPageSlugs: Set<String> = ["mentors", "specialties", "assets", "cgi-bin"]
}
