import Foundation
import MentorCore
import MentorStore

/// A digest of everything a build reads: the generator itself, the configuration, every
/// template and asset byte, the pages, and each listed mentor's slug, earlier slugs and
/// render key (which covers their content digest, written by the import, and what else
/// their page shows). When it matches the last build's and every file that build wrote is
/// still there, a rebuild has nothing to do and renders nothing.
struct BuildFingerprint {
    /// Bump when the generator's output changes for the same inputs.
    static let outputVersion = "1"

    /// - Parameter summaries: `MentorDatabase.mentorSummaries()`, ordered by slug.
    /// - Returns: `inputs`, the digest of everything but the mentors (what every page
    ///   depends on), and `fingerprint`, of everything.
    static func compute(config: SiteConfig, summaries: [(mentor: Mentor, renderKey: String)]) -> (inputs: String, fingerprint: String) {
        var fingerprint = StableHash()
        fingerprint.add(outputVersion)
        // A rebuilt mentorsite may render differently: its size and time count too.
        fingerprint.add(ExecutableIdentity.text)
        var described = config
        described.root = "."  // where the site lives does not change what it renders
        fingerprint.add("\(described)")
        for folder in [config.templates, config.content + "/pages"] {
            let files = ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).sorted()
            for file in files {
                guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
                fingerprint.add(file)
                fingerprint.add(data)
            }
        }
        let inputs = fingerprint.hex
        // Slugs and keys, not ids: ids are random, and two imports of the same content must
        // give the same fingerprint (the marker file is part of the deterministic output).
        for (mentor, key) in summaries {
            fingerprint.add(mentor.slug)
            fingerprint.add(key)
            for slug in mentor.previousSlugs { fingerprint.add(slug) }
        }
        return (inputs, fingerprint.hex)
    }
}

/// The running executable's size and modification time: a rebuilt mentorsite may read and
/// render differently, so caches keyed by this start afresh.
enum ExecutableIdentity {
    static let text: String = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let own = try? FileManager.default.attributesOfItem(atPath: executable) else { return "unknown" }
        return "\(own[.size] ?? 0) \((own[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
    }()
}
