import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import MentorCore
import MentorStore
import TemplateEngine

/// What a booking process keeps between requests: configurations, signing keys, open
/// databases and parsed templates, each by path and each checked against its file on every
/// request (size, modification time and inode), so an edit is seen at once. A CGI process
/// serves one request with a fresh runtime; a FastCGI process keeps one for its life.
/// Nothing of a request lives here: requests, drafts, cookies and CSRF values are built
/// for each one and dropped after it.
public final class BookingRuntime: @unchecked Sendable {
    /// A file's identity: another value means another content.
    struct Stamp: Equatable {
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
        var inode: UInt

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            size = Int(info.st_size)
            modified = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
            inode = UInt(info.st_ino)
        }
    }

    private var configs: [String: (stamp: Stamp, config: SiteConfig)] = [:]
    private var keys: [String: (stamp: Stamp, key: SecretKey)] = [:]
    private var databases: [String: (inode: UInt, database: MentorDatabase)] = [:]
    let templates = TemplateCache()

    public init() {}

    /// The configuration at `path`, read again when the file changed.
    func config(at path: String) throws -> SiteConfig {
        if let stamp = Stamp(path), let cached = configs[path], cached.stamp == stamp { return cached.config }
        let config = try SiteConfig.load(path: path)
        if let stamp = Stamp(path) {
            if configs.count > 16 { configs.removeAll() }
            configs[path] = (stamp, config)
        }
        return config
    }

    func key(at path: String) throws(BookingError) -> SecretKey {
        if let stamp = Stamp(path), let cached = keys[path], cached.stamp == stamp { return cached.key }
        let key = try SecretKey.loadOrCreate(at: path)
        if let stamp = Stamp(path) {
            if keys.count > 16 { keys.removeAll() }
            keys[path] = (stamp, key)
        }
        return key
    }

    /// The database at `path`, kept open; opened again when the file was replaced (another
    /// inode: a restored backup) or a request left it failing.
    func database(at path: String) throws -> MentorDatabase {
        let inode = Stamp(path)?.inode
        if let cached = databases[path], let inode, cached.inode == inode {
            do {
                try cached.database.checkSchemaVersion()
                return cached.database
            } catch {
                databases[path] = nil
                throw error
            }
        }
        let database = try MentorDatabase(path: path, create: false, synchronousFull: true)
        if let inode {
            if databases.count > 16 { databases.removeAll() }
            databases[path] = (inode, database)
        }
        return database
    }

    /// Forgets the database at `path` (after an error that may have left it unusable).
    func dropDatabase(at path: String) {
        databases[path] = nil
    }
}

/// Parsed templates by file path, each parsed again when its file changes.
final class TemplateCache: @unchecked Sendable {
    private var templates: [String: (stamp: BookingRuntime.Stamp, template: Template)] = [:]
    private var assets: [String: (stamp: BookingRuntime.Stamp, name: String)] = [:]

    /// The template at `path`, or nil when it is missing or does not parse (said on stderr).
    func template(at path: String) -> Template? {
        let stamp = BookingRuntime.Stamp(path)
        if let stamp, let cached = templates[path], cached.stamp == stamp { return cached.template }
        guard let text = Files.readText(path) else { return nil }
        do {
            let template = try Template(text)
            if let stamp {
                if templates.count > 256 { templates.removeAll() }
                templates[path] = (stamp, template)
            }
            return template
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(path): \(error)\n")
            return nil
        }
    }

    /// The fingerprinted name the generator gave the asset at `path` (`style.1a2b3c4d.css`).
    func assetName(_ name: String, at path: String) -> String {
        let stamp = BookingRuntime.Stamp(path)
        if let stamp, let cached = assets[path], cached.stamp == stamp { return cached.name }
        let fingerprinted = Files.bytes(at: path).map { URLs.assetName(name, contents: $0) } ?? name
        if let stamp {
            if assets.count > 64 { assets.removeAll() }
            assets[path] = (stamp, fingerprinted)
        }
        return fingerprinted
    }
}
