import Foundation
import MentorCore
import MentorStore

/// The site generator's commands as library functions. `build` is a named pipeline:
/// load (database, pages, templates) → render (no disk writes) → write (one writer).
public struct Generator {
    public var config: SiteConfig
    /// Receives progress lines such as `[2/2] Render 1000 mentors …`.
    public var log: (String) -> Void
    /// The time written as `created_at`/`updated_at` on import (`SOURCE_DATE_EPOCH` aware).
    public var now: () -> String = { Timestamp.now() }

    public init(config: SiteConfig, log: @escaping (String) -> Void = { _ in }) {
        self.config = config
        self.log = log
    }

    // MARK: import

    /// Content folder → database, in one transaction. Nothing is written when any file
    /// has a problem.
    /// - Parameter preferringFiles: content files (relative to the content folder) that win
    ///   over their mentors' web edits.
    public func importContent(preferringFiles: Set<String> = []) throws -> MentorDatabase.SyncReport {
        let content: ContentSet
        do {
            content = try ContentLoader.load(from: config.content, defaultCurrency: config.defaultCurrency)
        } catch {
            throw GeneratorError(stage: .load, diagnostics: error.items)
        }
        let database = try MentorDatabase(path: config.database, create: true)
        do {
            return try database.sync(content.mentors, now: now(), preferringFiles: preferringFiles)
        } catch StoreError.slugTaken(let slug, let sourcePath, let owner) {
            throw GeneratorError(stage: .load, file: config.content + "/" + sourcePath, field: "slug",
                                 message: "\"\(slug)\" is already used by \(config.content)/\(owner)")
        }
    }

    // MARK: build

    public struct BuildReport: Equatable, Sendable {
        public var mentors: Int
        public var files: Int
        public var write: OutputWriter.Report
    }

    /// - Parameter force: render everything even when the inputs did not change.
    public func build(force: Bool = false) throws -> BuildReport {
        let start = Date()
        log("[1/2] Load \(config.database), \(config.content)/pages and \(config.templates)")
        let database = try MentorDatabase(path: config.database, create: false)
        // Web edits waiting for the site: mentors renamed on the dashboard get their new slug
        // first (the old one keeps redirecting); the pages follow in this build.
        let pending = try database.pendingSiteChanges()
        if !pending.isEmpty {
            for (old, new) in try database.refreshSlugs(now: now(), slugFromName: Slug.make(from:)).sorted(by: { $0.key < $1.key }) {
                log("      /mentors/\(old)/ now redirects to /mentors/\(new)/ (renamed on the dashboard)")
            }
        }
        // Marked published only once this build has written the site.
        let published = { if let last = pending.last?.id { try database.markPublished(upTo: last, at: now()) } }
        let fingerprint = try BuildFingerprint.compute(config: config, database: database)
        let writer = OutputWriter(folder: config.output)
        if !force && writer.isUpToDate(fingerprint: fingerprint) {
            let count = writer.recordedFileCount()
            log("      nothing changed since the last build; use --force to render anyway")
            log("      0 written, \(count + 1) unchanged, 0 removed")
            var report = OutputWriter.Report()
            report.unchanged = count + 1
            try published()
            return BuildReport(mentors: try database.activeMentorCount(),
                               files: count, write: report)
        }
        let mentors = try database.mentors()
        var diagnostics: [Diagnostic] = []
        let pages = ContentLoader.loadPages(from: config.content + "/pages", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw GeneratorError(stage: .load, diagnostics: diagnostics) }
        let templates = try TemplateSet.load(from: config.templates)
        let site = Site(config: config, mentors: mentors, pages: pages)
        log("      \(seconds(since: start)) s")

        let stageStart = Date()
        log("[2/2] Render \(site.mentors.count) mentors, \(site.specialties.count) specialties, \(site.pages.count) pages into \(config.output) (\(SiteRenderer.batchSize) mentors a batch)")
        // Nothing is written until every input has loaded and parsed: a broken template or
        // content file stops the build above, with the previous site untouched.
        let session = try writer.begin()
        var count = 0
        try SiteRenderer(site: site, templates: templates).render { batch throws(GeneratorError) in
            count += batch.count
            try session.write(batch)
        }
        let report = try session.finish(fingerprint: fingerprint)
        log("      \(count) files: \(report.written.count) written, \(report.unchanged) unchanged, \(report.removed.count) removed, \(seconds(since: stageStart)) s")
        try published()
        return BuildReport(mentors: site.mentors.count, files: count, write: report)
    }

    func seconds(since start: Date) -> String {
        String(format: "%.2f", Date().timeIntervalSince(start))
    }

    // MARK: check

    public struct CheckReport: Sendable {
        public var diagnostics: [Diagnostic]
        public var completeness: [(sourcePath: String, name: String, result: Completeness)]
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// Validates the content folder, the templates and the database without writing anything.
    public func check() -> CheckReport {
        var diagnostics: [Diagnostic] = []
        var completeness: [(String, String, Completeness)] = []
        do {
            let content = try ContentLoader.load(from: config.content, defaultCurrency: config.defaultCurrency)
            for (path, profile) in content.mentors {
                completeness.append((config.content + "/" + path, profile.name, Completeness(profile)))
            }
            // Names that make the same slug are fine (the second gets -2), but worth a look.
            var bySlug: [String: [String]] = [:]
            for (path, profile) in content.mentors where profile.explicitSlug == nil {
                bySlug[Slug.make(from: profile.name), default: []].append(path)
            }
            for (slug, paths) in bySlug where paths.count > 1 {
                for path in paths.dropFirst() {
                    diagnostics.append(Diagnostic(file: config.content + "/" + path, field: "name",
                                                  message: "makes the same slug \"\(slug)\" as \(config.content)/\(paths[0]); it will be published with a number suffix",
                                                  severity: .warning))
                }
            }
            for (path, profile) in content.mentors where profile.timezone == nil || profile.availability.isEmpty {
                diagnostics.append(Diagnostic(file: config.content + "/" + path, field: profile.timezone == nil ? "timezone" : "availability",
                                              message: "missing, so this mentor cannot be booked", severity: .warning))
            }
        } catch {
            diagnostics += error.items
        }
        do {
            _ = try TemplateSet.load(from: config.templates)
        } catch {
            diagnostics += error.diagnostics
        }
        if FileManager.default.fileExists(atPath: config.database) {
            do {
                let database = try MentorDatabase(path: config.database, create: false)
                for problem in try database.integrityProblems() {
                    diagnostics.append(Diagnostic(file: config.database, message: problem))
                }
                if let problem = TimeZones.databaseProblem {
                    // Every zone would look unknown: say what is missing, once.
                    diagnostics.append(Diagnostic(file: TimeZones.folder, message: problem))
                } else {
                    for mentor in try database.mentors() where mentor.profile.timezone.map(TimeZones.isIANAName) == false {
                        diagnostics.append(Diagnostic(file: config.database, field: "timezone", message: "\(mentor.slug): \"\(mentor.profile.timezone!)\" is not an IANA time zone"))
                    }
                }
            } catch {
                diagnostics.append(Diagnostic(file: config.database, message: "\(error)"))
            }
        } else {
            diagnostics.append(Diagnostic(file: config.database, message: "no database yet; run `mentorsite import`", severity: .warning))
        }
        return CheckReport(diagnostics: diagnostics.sorted(), completeness: completeness)
    }
}
