import Foundation
import Glibc
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
    /// Files unchanged since the last import are neither read nor parsed (their size, times,
    /// inode and a digest of their bytes are kept in the database); `full` reads them all.
    public func importContent(preferringFiles: Set<String> = [], full: Bool = false) throws -> MentorDatabase.SyncReport {
        // An existing database says what the last import read; a new one is made only once
        // the content has loaded without problems.
        let exists = FileManager.default.fileExists(atPath: config.database)
        let known = exists && !full ? try MentorDatabase(path: config.database, create: false).contentFiles() : [:]
        let content: ContentLoader.Changes
        do {
            content = try ContentLoader.loadChanges(from: config.content, defaultCurrency: config.defaultCurrency, known: known, always: preferringFiles)
        } catch {
            throw GeneratorError(stage: .load, diagnostics: error.items)
        }
        let database = try MentorDatabase(path: config.database, create: true)
        do {
            // Only records that changed are written (the rest stay as the last import left them).
            let files = content.files.filter { known[$0.sourcePath] != $0 }
            var report = try database.sync(content.changed, present: content.present, files: files, now: now(), preferringFiles: preferringFiles)
            report.unchanged += content.present.count - content.changed.count  // not even parsed
            return report
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
        /// Mentor pages rendered: all of them, or (incremental) those whose page changed.
        public var rendered = 0
        /// Listing pages rendered (the others showed the same on disk).
        public var renderedListings = 0
    }

    /// Renders what changed since the last build into the output folder. With the same
    /// templates, configuration, pages and mentorsite as the last build, only mentors whose
    /// page would change are rendered; the listings are made from the other mentors' cached
    /// cards and their pages stay on disk (`RenderCache`). Otherwise everything renders.
    /// Either way only files whose bytes changed are written.
    /// - Parameter force: render everything even when the inputs did not change.
    public func build(force: Bool = false) throws -> BuildReport {
        let start = Date()
        // One build at a time per site (`serve` publishing while someone runs `build`).
        let lock = BuildLock(folder: config.generatorState)
        defer { lock.release() }
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
        let summaries = try database.mentorSummaries()
        let (inputs, fingerprint) = BuildFingerprint.compute(config: config, summaries: summaries)
        let writer = OutputWriter(folder: config.output)
        if !force && writer.isUpToDate(fingerprint: fingerprint) {
            let count = writer.recordedFileCount()
            log("      nothing changed since the last build; use --force to render anyway")
            log("      0 written, \(count + 1) unchanged, 0 removed")
            var report = OutputWriter.Report()
            report.unchanged = count + 1
            try published()
            return BuildReport(mentors: summaries.count, files: count, write: report)
        }
        var diagnostics: [Diagnostic] = []
        let pages = ContentLoader.loadPages(from: config.content + "/pages", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw GeneratorError(stage: .load, diagnostics: diagnostics) }
        let templates = try TemplateSet.load(from: config.templates)

        // Which mentors' pages on disk still show what they would show now.
        let renderKeys = Dictionary(summaries.map { ($0.mentor.slug, $0.renderKey) }, uniquingKeysWith: { first, _ in first })
        let recorded = force ? nil : writer.recorded()
        var cache = RenderCache.load(path: config.generatorState + "/render-cache", inputs: inputs, outputFingerprint: recorded?.fingerprint)
        let urls = URLs(config: config)
        var reuse: SiteRenderer.Reuse?
        var kept: [(path: String, size: Int)] = []
        let site: Site
        if cache.isValid, let recorded {
            // A mentor's page stays when its key is the cached one and its files are as the
            // last build wrote them (checked on all cores: twenty thousand stat calls).
            let output = open(config.output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            defer { if output >= 0 { close(output) } }
            let cached = cache.entries
            let onDisk = parallelMap(summaries) { mentor, key -> [(path: String, size: Int)]? in
                guard cached[mentor.slug]?.renderKey == key else { return nil }
                var files: [(path: String, size: Int)] = []
                for path in SiteRenderer.mentorFiles(mentor, urls: urls) {
                    guard let size = recorded.files[path], Files.size(of: path, in: output) == size else { return nil }
                    files.append((path, size))
                }
                return files
            }
            var cards: [String: String] = [:]
            var search: [String: String] = [:]
            var stale: [Mentor] = []
            for ((mentor, _), files) in zip(summaries, onDisk) {
                // A cached mentor needs their search document only when there is an index.
                if let files, let entry = cache.entries[mentor.slug], !config.search || !entry.search.isEmpty {
                    cards[mentor.slug] = entry.card
                    search[mentor.slug] = entry.search
                    kept += files
                } else {
                    stale.append(mentor)
                }
            }
            // Listing pages are cached by path (slugs never start with "/"); search shards
            // as "/search/s<n>", with their files.
            var listings: [String: String] = [:]
            var shards: [Int: SiteRenderer.Shard] = [:]
            for (path, entry) in cache.entries where path.hasPrefix("/") {
                if path.hasPrefix("/search/s"), let shard = Int(path.dropFirst("/search/s".count)) {
                    let files = RenderCache.decodeFiles(entry.card)
                    let onDisk = files.allSatisfy { name, path in
                        name.hasPrefix("gender:") || recorded.files[path].map { size in Files.size(of: config.output + "/" + path) == size } == true
                    }
                    if onDisk {
                        shards[shard] = SiteRenderer.Shard(key: entry.renderKey, files: files)
                    }
                    continue
                }
                let file = urls.file(for: path)
                if let size = recorded.files[file], Files.size(of: config.output + "/" + file) == size { listings[path] = entry.renderKey }
            }
            reuse = SiteRenderer.Reuse(cards: cards, rendering: stale, listings: listings)
            reuse?.search = search
            reuse?.shards = shards
        } else {
            // Everything renders; whole profiles are loaded a batch at a time, so memory
            // holds summaries and cards, never every bio at once.
            reuse = nil
        }
        site = Site(config: config, mentors: summaries.map(\.mentor), pages: pages)
        let incremental = reuse != nil
        log("      \(seconds(since: start)) s")

        let stageStart = Date()
        let rendering = reuse.map { "\($0.rendering.count) of \(site.mentors.count) mentors (the rest are as the last build left them)" } ?? "\(site.mentors.count) mentors"
        let loadBatch = { (batch: [Mentor]) throws -> [Mentor] in try database.mentors(batchOf: batch.map(\.id)).filter(\.isActive) }
        log("[2/2] Render \(rendering), \(site.specialties.count) specialties, \(site.pages.count) pages into \(config.output) (\(SiteRenderer.batchSize) mentors a batch)")
        // Nothing is written until every input has loaded and parsed: a broken template or
        // content file stops the build above, with the previous site untouched.
        let session = try writer.begin(recordedFiles: incremental ? recorded?.files : nil)
        cache.invalidate()
        session.keep(kept)
        var count = kept.count
        let rendered = try SiteRenderer(site: site, templates: templates).render(renderKeys: renderKeys, reusing: reuse, load: loadBatch) { batch throws(GeneratorError) in
            count += batch.count
            try session.write(batch)
        }
        let keptListings = (rendered.keptListings + rendered.keptSearchFiles).compactMap { path in recorded?.files[path].map { (path, $0) } }
        session.keep(keptListings)
        count += keptListings.count
        let report = try session.finish(fingerprint: fingerprint)
        log("      \(count) files: \(report.written.count) written, \(report.unchanged) unchanged, \(report.removed.count) removed, \(seconds(since: stageStart)) s")
        do {
            var entries: [String: RenderCache.Entry] = [:]
            for (slug, card) in rendered.cards {
                if let key = renderKeys[slug] { entries[slug] = RenderCache.Entry(renderKey: key, card: card, search: rendered.search[slug] ?? "") }
            }
            for (path, key) in rendered.listings where cache.entries[path]?.renderKey != key {
                entries[path] = RenderCache.Entry(renderKey: key, card: "")
            }
            var shardPaths: [String] = []
            for (shard, written) in rendered.shards {
                let path = "/search/s\(shard)"
                shardPaths.append(path)
                if cache.entries[path]?.renderKey != written.key {
                    entries[path] = RenderCache.Entry(renderKey: written.key, card: RenderCache.encodeFiles(written.files))
                }
            }
            try cache.save(entries, inputs: inputs, outputFingerprint: fingerprint,
                           live: Set(site.mentors.map(\.slug)).union(rendered.listings.keys).union(shardPaths))
        } catch {
            log("      warning: \(error) (the next build renders every mentor)")
        }
        try published()
        return BuildReport(mentors: site.mentors.count, files: count, write: report,
                           rendered: rendered.cards.count, renderedListings: rendered.listings.count - rendered.keptListings.count)
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
