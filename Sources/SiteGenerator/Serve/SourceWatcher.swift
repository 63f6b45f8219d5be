import Foundation
import MentorCore

/// `mentorsite serve --watch`: notices when content, templates or the configuration change
/// (by polling sizes and modification times, which works on every file system and editor)
/// and rebuilds, so an author sees an edit on the next reload.
public struct SourceWatcher {
    public var config: SiteConfig
    public var configPath: String

    public init(config: SiteConfig, configPath: String) {
        self.config = config
        self.configPath = configPath
    }

    /// Path → size and modification time of every file the site is made from.
    public func snapshot() -> [String: String] {
        var files: [String: String] = [:]
        func note(_ path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return }
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            files[path] = "\(attributes[.size] ?? 0) \(modified)"
        }
        note(configPath)
        for folder in [config.content, config.templates] {
            for relative in (try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? [] {
                // Editors' swap and backup files are not content.
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".swp") { continue }
                note(folder + "/" + relative)
            }
        }
        return files
    }

    /// Import and build once, with the configuration read again (it may be what changed);
    /// a short report line, or the errors (the previous site stays).
    public func rebuild() -> (ok: Bool, message: String) {
        let start = Date()
        do {
            let generator = Generator(config: try SiteConfig.load(path: configPath))
            let imported = try generator.importContent()
            let built = try generator.build()
            let seconds = String(format: "%.2f", Date().timeIntervalSince(start))
            return (true, "Rebuilt: \(imported.inserted.count) new, \(imported.updated.count) changed, \(imported.deactivated.count) removed mentors; "
                    + "\(built.write.written.count) files written in \(seconds) s")
        } catch {
            return (false, "Not rebuilt, the site stays as it was:\n\(error)")
        }
    }
}
