import Foundation
import MentorCore
import MentorStore
import Yams

/// Full YAML for front matter, through Yams, as MentorCore's `YAMLNode` (MentorCore links no
/// YAML library: the booking CGI reads only the flat configuration).
public enum FullYAML {
    /// A `YAMLParser` for `YAMLReader`.
    public static func parse(_ text: String) throws -> YAMLNode? {
        let root: Yams.Node?
        do {
            // The basic resolver keeps every scalar as text: the reader parses numbers, dates
            // and booleans itself, strictly, and Yams' implicit-type regexes cost more than
            // the rest of a file's parse.
            root = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            throw syntaxError(error)
        }
        guard let root else { return nil }
        var budget = maximumNodes
        return try node(root, budget: &budget)
    }

    /// Yams shares the node an alias names; copying expands it, so a "billion laughs"
    /// document (aliases of aliases) would never finish. No front matter comes near this.
    static let maximumNodes = 100_000

    static func node(_ node: Yams.Node, budget: inout Int) throws -> YAMLNode {
        budget -= 1
        guard budget >= 0 else {
            throw YAMLSyntaxError(line: node.mark?.line, message: "invalid YAML: more than \(maximumNodes) values (aliases that expand without end?)")
        }
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, plain: scalar.style == .plain, line: node.mark?.line)
        case .sequence(let sequence):
            return .sequence(try sequence.map { try Self.node($0, budget: &budget) }, line: node.mark?.line)
        case .mapping(let mapping):
            return .mapping(try mapping.map { (key: $0.key.string ?? "\($0.key)", value: try Self.node($0.value, budget: &budget), line: $0.key.mark?.line) },
                            line: node.mark?.line)
        case .alias:
            return .alias(line: node.mark?.line)
        }
    }

    static func syntaxError(_ error: YamlError) -> YAMLSyntaxError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return YAMLSyntaxError(line: mark.line, message: "invalid YAML: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return YAMLSyntaxError(line: context.mark.line, field: duplicates.first, message: "duplicate key")
        case .reader(let problem, _, _, _):
            return YAMLSyntaxError(line: nil, message: "invalid YAML: \(problem)")
        default:
            return YAMLSyntaxError(line: nil, message: "invalid YAML: \(error)")
        }
    }
}

extension Slug {
    /// Makes a slug from a person's name or a specialty: Latin diacritics fold ("José
    /// Müller" → `jose-muller`, "Nguyễn Thị Đào" → `nguyen-thi-dao`), other scripts are
    /// transliterated by ICU ("Иван Петров" → `ivan-petrov`); text that leaves nothing
    /// behind gets a stable fallback made from a hash of the input.
    public static func make(from text: String) -> String {
        let latin = text.applyingTransform(StringTransform("Any-Latin; Latin-ASCII; Lower"), reverse: false) ?? text.lowercased()
        return make(transliterated: latin, original: text)
    }
}

extension MentorDatabase {
    /// `sync` with slugs made by `Slug.make`.
    public func sync(_ entries: [(sourcePath: String, profile: MentorProfile)], present: Set<String>? = nil, files: [ContentFileStamp] = [],
                     now: String = Timestamp.now(), preferringFiles: Set<String> = []) throws -> SyncReport {
        try sync(entries, present: present, files: files, now: now, slugFromName: Slug.make(from:), preferringFiles: preferringFiles)
    }
}
