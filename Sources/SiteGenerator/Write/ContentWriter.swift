import Foundation
import MentorCore
import MentorStore

/// `mentorsite export`: profiles from the database back into `content/mentors/*.md`, so
/// that web edits can be committed and a following `import` changes nothing. Each file is
/// YAML front matter (`ProfileWriter`'s keys, text double-quoted) and the bio, written
/// through a temporary file and a rename.
public enum ContentWriter {
    /// The text of a mentor's content file.
    public static func file(_ profile: MentorProfile) -> String {
        var out = "---\n"
        for (key, value) in ProfileWriter.mapping(profile) {
            switch value {
            case .scalar:
                out += key + ": " + scalar(value) + "\n"
            case .sequence(let items, _):
                out += key + ":\n"
                for item in items {
                    if case .mapping(let fields, _) = item {
                        for (index, field) in fields.enumerated() {
                            out += (index == 0 ? "  - " : "    ") + field.key + ": " + scalar(field.value) + "\n"
                        }
                    } else {
                        out += "  - " + scalar(item) + "\n"
                    }
                }
            case .mapping, .alias:
                continue
            }
        }
        out += "---\n\n" + profile.bio + "\n"
        return out
    }

    /// A scalar as YAML: numbers plain, text in double quotes with escapes.
    static func scalar(_ node: YAMLNode) -> String {
        guard case .scalar(let text, let plain, _) = node else { return "\"\"" }
        return plain ? text : quoted(text)
    }

    /// A double-quoted YAML scalar (YAML 1.2 §7.3.1).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
                    || (0x2028...0x2029).contains(scalar.value) {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension Generator {
    /// Writes the profiles of the active mentors (or the one with `slug`) into their content
    /// files and records them as the files' versions, so that `import` sees no conflict.
    /// - Returns: the files written, relative to the content folder.
    public func export(slug: String? = nil) throws -> [String] {
        let database = try MentorDatabase(path: config.database, create: false)
        var mentors = try database.mentors()
        if let slug {
            mentors = mentors.filter { $0.slug == slug || $0.previousSlugs.contains(slug) }
            guard !mentors.isEmpty else { throw GeneratorError(stage: .load, file: config.database, message: "no active mentor with the slug \"\(slug)\"") }
        }
        var written: [String] = []
        for mentor in mentors {
            let path = config.content + "/" + mentor.sourcePath
            let text = ContentWriter.file(mentor.profile)
            if Files.readText(path) != text {
                try FileManager.default.createDirectory(atPath: Files.folder(of: path), withIntermediateDirectories: true)
                let failure = Files.replace(path, with: Array(text.utf8))
                guard failure == 0 else {
                    throw GeneratorError(stage: .write, file: path, message: "cannot write the file: \(String(cString: strerror(failure)))")
                }
                written.append(mentor.sourcePath)
            }
            try database.recordExport(mentorID: mentor.id, sourceDigest: mentor.profile.contentDigest)
        }
        return written
    }
}
