import Foundation
import MentorCore

/// A digest of everything a build reads: the generator itself, the configuration, every
/// template and asset byte, the pages, and each mentor's identity, slugs and `updated_at`
/// (the import bumps it on every change). When it matches the last build's and every file
/// that build wrote is still there, a rebuild has nothing to do and renders nothing.
struct BuildFingerprint {
    /// Bump when the generator's output changes for the same inputs.
    static let outputVersion = "1"

    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        hash ^= 0xff  // separates fields: "ab"+"c" ≠ "a"+"bc"
        hash = hash &* 0x100_0000_01b3
    }

    mutating func add(_ text: String) { add(text.utf8) }

    var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    static func compute(config: SiteConfig, database: MentorDatabase) throws -> String {
        var fingerprint = BuildFingerprint()
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
        try database.connection.prepare("SELECT source_path, slug, updated_at, is_active FROM mood_mentor_profiles ORDER BY source_path").forEach { row in
            fingerprint.add("\(row.text(0)) \(row.text(1)) \(row.text(2)) \(row.int(3))")
        }
        try database.connection.prepare("""
            SELECT s.slug, p.source_path FROM mentor_slugs s JOIN mood_mentor_profiles p ON p.id = s.mentor_id ORDER BY s.slug
            """).forEach { row in
            fingerprint.add("\(row.text(0)) \(row.text(1))")
        }
        return fingerprint.hex
    }
}
