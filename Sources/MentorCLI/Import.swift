import Foundation
import Booking
import MentorCore
import MentorStore
import SiteGenerator

/// `mentorsite import`: content → database (profile sync).
public enum ImportCommand {
    /// The exit status: 1 when a mentor's file and their web edits both changed (nothing is
    /// imported for them; every other mentor is).
    @discardableResult
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, preferringFiles: [String] = [], full: Bool = false) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        // `--prefer-file content/mentors/ana.md` or `mentors/ana.md`: relative to the content folder.
        let preferred = Set(preferringFiles.map { path in
            let absolute = context.absolute(path)
            let folder = context.absolute(config.content) + "/"
            return absolute.hasPrefix(folder) ? String(absolute.dropFirst(folder.count)) : path
        })
        let report = try Generator(config: config).importContent(preferringFiles: preferred, full: full)
        context.say("Imported \(config.content) into \(config.database): \(report.inserted.count) new, \(report.updated.count) updated, \(report.unchanged) unchanged, \(report.deactivated.count) removed")
        for (old, new) in report.renamed.sorted(by: { $0.key < $1.key }) {
            context.say("  /mentors/\(old)/ now redirects to /mentors/\(new)/")
        }
        // Sessions still to come with mentors who left are cancelled; their patients hear why.
        if !report.deactivated.isEmpty, let database = try? MentorDatabase(path: config.database, create: false) {
            database.webhookEndpoints = config.webhookURLs
            let count = try MentorDeparture.cancelSessions(database: database, config: config, sourcePaths: report.deactivated, now: try context.now())
            if count > 0 {
                context.say("  \(count) session\(count == 1 ? "" : "s") with mentors who left cancelled; the patients are emailed by `mentorsite mail`, which also refunds them")
            }
        }
        for conflict in report.conflicts {
            context.warn("error: \(config.content)/\(conflict.sourcePath): changed in the file and on the web since the last import "
                         + "(\(conflict.fields.joined(separator: ", "))); nothing imported for this mentor. Keep the web version with "
                         + "`mentorsite export`, or the file's with `mentorsite import --prefer-file \(config.content)/\(conflict.sourcePath)`.")
        }
        return report.conflicts.isEmpty ? 0 : 1
    }
}

/// `mentorsite build`: database, pages and templates → `public/`.
public enum BuildCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, quiet: Bool, force: Bool) throws {
        let config = try context.configuration(flag: flag, flags: flags)
        let clock = ContinuousClock()
        let start = clock.now
        let report = try Generator(config: config, log: { if !quiet { context.say($0) } }).build(force: force)
        if !quiet {
            context.say("Built \(report.mentors) mentor pages (\(report.files) files) in \(seconds(clock.now - start)) s")
        }
    }

    /// `1.23` for a duration, for progress lines.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(milliseconds / 1000).\(String(100 + milliseconds % 1000 / 10).dropFirst())"
    }
}

/// `mentorsite publish`: builds what mentors' web edits changed, now (`--watch`: every half
/// second, until stopped), for servers other than `mentorsite serve`.
public enum PublishCommand {
    public static func run(_ context: CommandContext, config flag: String?, watch: Bool, quiet: Bool = false) throws -> Int32 {
        let publisher = Publisher(config: try context.configuration(flag: flag))
        repeat {
            switch publisher.publishIfPending() {
            case .nothing: if !watch && !quiet { context.say("Nothing to publish.") }
            case .published(let message): if !quiet { context.say(message) }
            case .failed(let message):
                context.warn(message)
                if !watch { return 1 }
            }
            if watch { usleep(500_000) }
        } while watch
        return 0
    }
}

/// `mentorsite export`: the database's profiles back into their content files.
public enum ExportCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, mentor: String?) throws {
        let config = try context.configuration(flag: flag, flags: flags)
        let written = try Generator(config: config).export(slug: mentor)
        for path in written { context.say("  wrote \(config.content)/\(path)") }
        context.say("Exported \(written.count) changed profile\(written.count == 1 ? "" : "s") into \(config.content)")
    }
}
