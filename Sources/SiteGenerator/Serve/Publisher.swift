import Foundation
import MentorCore
import MentorStore

/// Brings the static site up to date with mentors' web edits (`site_changes`): the CGI
/// records what changed, and this (run by `mentorsite serve` twice a second, by `mentorsite
/// publish` from cron or a systemd path unit, or by any `mentorsite build`) builds what they
/// affect. Checking costs one small query, so it can run often.
public struct Publisher {
    public var config: SiteConfig

    public init(config: SiteConfig) {
        self.config = config
    }

    public enum Outcome: Equatable {
        case nothing
        case published(String)
        case failed(String)
    }

    public func publishIfPending(force: Bool = false) -> Outcome {
        do {
            let database = try MentorDatabase(path: config.database, create: false)
            let pending = try database.pendingSiteChanges()
            guard !pending.isEmpty || force else { return .nothing }
            let start = Date()
            let report = try Generator(config: config).build()
            let mentors = Set(pending.map(\.mentorID)).count
            return .published("Published \(pending.count) web edit\(pending.count == 1 ? "" : "s") of \(mentors) mentor\(mentors == 1 ? "" : "s"): "
                              + "\(report.write.written.count) files written in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        } catch {
            return .failed("Not published, the site stays as it was:\n\(error)")
        }
    }
}
