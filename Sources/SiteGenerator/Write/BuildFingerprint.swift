import Foundation
import MentorCore
import MentorStore

/// A digest of everything a build reads: the generator itself, the configuration, every
/// template and asset byte, the pages, and each mentor's identity, slugs and content
/// digest (`content_hash`, written by the import). When it matches the last build's and every file
/// that build wrote is still there, a rebuild has nothing to do and renders nothing.
struct BuildFingerprint {
    /// Bump when the generator's output changes for the same inputs.
    static let outputVersion = "1"

    static func compute(config: SiteConfig, database: MentorDatabase) throws -> String {
        var fingerprint = StableHash()
        fingerprint.add(outputVersion)
        // A rebuilt mentorsite may render differently: its size and time count too.
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
           let own = try? FileManager.default.attributesOfItem(atPath: executable) {
            fingerprint.add("\(own[.size] ?? 0) \((own[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        }
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
        // Source paths, not ids: ids are random, and two imports of the same content must
        // give the same fingerprint (the marker file is part of the deterministic output).
        // Not updated_at: it has whole seconds, or is fixed by SOURCE_DATE_EPOCH, so an edit
        // within the same second would go unseen.
        for row in try database.profileDigests() {
            fingerprint.add("\(row.sourcePath) \(row.slug) \(row.contentHash ?? "-") \(row.isActive ? 1 : 0)")
        }
        for row in try database.slugHistory() {
            fingerprint.add("\(row.slug) \(row.sourcePath)")
        }
        return fingerprint.hex
    }
}
