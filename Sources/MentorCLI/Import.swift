import MentorCore
import SiteGenerator

/// `mentorsite import`: content → database (profile sync).
public enum ImportCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags) throws {
        let config = try context.configuration(flag: flag, flags: flags)
        let report = try Generator(config: config).importContent()
        context.say("Imported \(config.content) into \(config.database): \(report.inserted.count) new, \(report.updated.count) updated, \(report.unchanged) unchanged, \(report.deactivated.count) removed")
        for (old, new) in report.renamed.sorted(by: { $0.key < $1.key }) {
            context.say("  /mentors/\(old)/ now redirects to /mentors/\(new)/")
        }
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
