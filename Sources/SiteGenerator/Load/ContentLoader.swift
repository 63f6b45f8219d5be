import Foundation
import Glibc
import MentorStore
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
        diagnostics += duplicateSlugs(mentors, folder: folder)
        let pages = loadPages(from: folder + "/pages", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw Diagnostics(diagnostics) }
        return ContentSet(mentors: mentors, pages: pages)
    }

    /// What `loadChanges` found: the mentor files that changed since the last import,
    /// parsed; every file there is; what was read of each (for the next import); the pages.
    public struct Changes: Sendable {
        public var changed: [(sourcePath: String, profile: MentorProfile)]
        public var present: Set<String>
        public var files: [ContentFileStamp]
        public var pages: [PageSource]
        /// How many mentor files were read (the others' stamps matched).
        public var read = 0
    }

    /// Like `load`, but parses only the mentor files that changed since the import that
    /// recorded `known`: a file whose size, times and inode are as recorded is not read, and
    /// one whose bytes hash as recorded is not parsed. Problems in the files read fail the
    /// whole load, as in `load`; the others passed when they were last read (the digest
    /// covers the parser and the default currency, so a new mentorsite reads all again).
    /// - Parameter always: source paths to parse whatever their stamps say.
    /// - Parameter trustedBefore: files changed at or after this second (Unix time) get no
    ///   stamp; nil: two seconds ago by the real clock.
    public static func loadChanges(from folder: String, defaultCurrency: String, known: [String: ContentFileStamp],
                                   always: Set<String> = [], trustedBefore: Int? = nil) throws(Diagnostics) -> Changes {
        var diagnostics: [Diagnostic] = []
        let mentorFolder = folder + "/mentors"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: mentorFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Diagnostics([Diagnostic(file: mentorFolder, message: "no such folder; the content folder needs a mentors/ folder of Markdown files")])
        }
        // How files are read: part of both stamp and digest, so that another default currency,
        // another mentorsite or another time zone database (time zones are checked against
        // it) reads every file again.
        var reading = StableHash()
        reading.add("mentorsite content 1 \(defaultCurrency) \(ExecutableIdentity.text) \(TimeZones.folder) \(TimeZones.databaseProblem ?? "")")
        let readingKey = reading.hex
        // Like git's index: a file changed within the last two seconds may change again within
        // the file system's timestamp granularity without its stamp changing, so its stamp is
        // not kept and the next import compares its bytes. (Real time on purpose: this judges
        // file times, not the business clock.)
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let trusted = trustedBefore ?? (clock.tv_sec - 2)
        let files = markdownFiles(in: mentorFolder)
        enum Outcome: Sendable {
            case unchanged(ContentFileStamp, read: Bool)
            case parsed(ContentFileStamp, MentorProfile)
            case failed(Diagnostics)
        }
        let outcomes = parallelMap(files) { name -> Outcome in
            let path = mentorFolder + "/" + name
            let sourcePath = "mentors/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { return .failed(Diagnostics([Diagnostic(file: path, message: "cannot read the file")])) }
            let recent = info.st_mtim.tv_sec >= trusted || info.st_ctim.tv_sec >= trusted
            let stamp = recent ? "" : "\(readingKey) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec) \(info.st_ino) \(info.st_dev)"
            let previous = known[sourcePath]
            let forced = always.contains(sourcePath)
            if !forced, let previous, !stamp.isEmpty, previous.stamp == stamp { return .unchanged(previous, read: false) }
            let data: Data
            switch readData(path) {
            case .failure(let diagnostic): return .failed(Diagnostics([diagnostic]))
            case .success(let bytes): data = bytes
            }
            var hash = StableHash()
            hash.add(readingKey)
            hash.add(data)
            let record = ContentFileStamp(sourcePath: sourcePath, stamp: stamp, digest: hash.hex)
            if !forced, previous?.digest == record.digest { return .unchanged(record, read: true) }
            switch text(of: data, path: path) {
            case .failure(let diagnostic): return .failed(Diagnostics([diagnostic]))
            case .success(let text):
                switch MentorSource.parse(text, file: path, defaultCurrency: defaultCurrency) {
                case .success(let profile): return .parsed(record, profile)
                case .failure(let problems): return .failed(problems)
                }
            }
        }
        var changes = Changes(changed: [], present: Set(files.map { "mentors/" + $0 }), files: [], pages: [])
        for outcome in outcomes {
            switch outcome {
            case .unchanged(let record, let read):
                changes.files.append(record)
                if read { changes.read += 1 }
            case .parsed(let record, let profile):
                changes.files.append(record)
                changes.changed.append((record.sourcePath, profile))
                changes.read += 1
            case .failed(let problems): diagnostics += problems.items
            }
        }
        diagnostics += duplicateSlugs(changes.changed, folder: folder)
        changes.pages = loadPages(from: folder + "/pages", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw Diagnostics(diagnostics) }
        return changes
    }

    /// Two files asking for one slug can never both be published.
    static func duplicateSlugs(_ mentors: [(sourcePath: String, profile: MentorProfile)], folder: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var explicit: [String: String] = [:]
        for (path, profile) in mentors {
            guard let slug = profile.explicitSlug else { continue }
            if let other = explicit[slug] {
                diagnostics.append(Diagnostic(file: folder + "/" + path, field: "slug", message: "\"\(slug)\" is also the slug of \(folder)/\(other)"))
            } else {
                explicit[slug] = path
            }
        }
        return diagnostics
    }

    static func markdownFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
    }

    /// Reads a file as UTF-8 text, refusing files over the size cap before reading them.
    static func readText(_ path: String) -> Result<String, Diagnostic> {
        readData(path).flatMap { text(of: $0, path: path) }
    }

    /// A file's bytes, refusing files over the size cap before reading them.
    static func readData(_ path: String) -> Result<Data, Diagnostic> {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int
        else { return .failure(Diagnostic(file: path, message: "cannot read the file")) }
        guard size <= MentorSource.maximumFileBytes else {
            return .failure(Diagnostic(file: path, message: "file is \(size / 1024) KiB; the limit is \(MentorSource.maximumFileBytes / 1024) KiB"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Diagnostic(file: path, message: "cannot read the file"))
        }
        return .success(data)
    }

    /// The bytes as UTF-8 text without NUL, or the line that is not.
    static func text(of data: Data, path: String) -> Result<String, Diagnostic> {
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
    static let reservedPageSlugs: Set<String> = ["mentors", "specialties", "languages", "assets", "cgi-bin"]
}
