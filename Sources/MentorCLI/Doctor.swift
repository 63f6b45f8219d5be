import Foundation
import MentorCore
import MentorStore
import Sendmail

/// `mentorsite doctor`: checks what an operator gets wrong when deploying, and says what to
/// do: the configuration; the database (schema, structure) and whether the web server's user
/// can write it and its folder; the signing key (readable by that user, by no one else, and
/// outside the published folder); the time zone data and every mentor's zone; the outbox
/// and webhook backlogs; the published site. Exit 1 when something must be fixed.
public enum DoctorCommand {
    enum Level: String { case ok = "ok  ", warn = "warn", fail = "FAIL" }

    struct Finding {
        var level: Level
        var what: String
        var fix: String?
    }

    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, user: String?) throws -> Int32 {
        var findings: [Finding] = []
        func add(_ level: Level, _ what: String, fix: String? = nil) { findings.append(Finding(level: level, what: what, fix: fix)) }
        defer {
            for finding in findings {
                context.say("\(finding.level.rawValue)  \(finding.what)")
                if let fix = finding.fix { context.say("      fix: \(fix)") }
            }
        }
        let config: SiteConfig
        do {
            config = try context.configuration(flag: flag, flags: flags)
            add(.ok, "configuration: \(context.configPath(flag: flag) ?? SiteConfig.fileName) reads cleanly")
        } catch {
            add(.fail, "configuration: \(error)", fix: "correct the line named; every key is in the README")
            return 1
        }
        let now = try context.now()

        // The web server's user: given, or the owner of the CGI's usual user.
        let account = Account(name: user ?? (Account(name: "www-data") != nil ? "www-data" : Account.name(of: getuid()) ?? "root"))
        if account == nil { add(.fail, "user \(user ?? "www-data"): no such user", fix: "pass --user with the user the CGI runs as") }

        // The database.
        let database: MentorDatabase?
        do {
            let opened = try MentorDatabase(path: config.database, create: false)
            let problems = try opened.quickCheckProblems()
            if problems.isEmpty {
                add(.ok, "database: \(config.database), schema \(opened.schemaVersion) of \(MentorDatabase.migrations.count), quick_check ok")
            } else {
                add(.fail, "database: \(config.database): \(problems.prefix(3).joined(separator: "; "))", fix: "restore the newest backup (README, Restoring a backup)")
            }
            database = opened
        } catch {
            add(.fail, "database: \(error)", fix: "run `mentorsite import` (as the CGI's user), or restore a backup")
            database = nil
        }
        if let account {
            let folder = (config.database as NSString).deletingLastPathComponent
            for (path, needs, why) in [(config.database, "rw", "the CGI writes bookings"), (folder.isEmpty ? "." : folder, "rwx", "SQLite makes -wal and -shm files beside the database"),
                                       (config.database + "-wal", "rw", "the CGI writes through the WAL"), (config.database + "-shm", "rw", "the CGI shares the WAL index")] {
                guard FileManager.default.fileExists(atPath: path) else { continue }
                if let missing = account.lacks(needs, on: path) {
                    add(.fail, "\(path): \(account.name) cannot \(missing) it (\(why))", fix: "chown \(account.name) \(path) (or give its group write access)")
                } else {
                    add(.ok, "\(path): \(account.name) can \(needs == "rwx" ? "create files in" : "read and write") it")
                }
            }
            let key = config.secretKey
            var info = stat()
            if stat(key, &info) == 0 {
                if let missing = account.lacks("r", on: key) {
                    add(.fail, "\(key): \(account.name) cannot \(missing) the signing key", fix: "chown \(account.name) \(key) && chmod 600 \(key)")
                } else if info.st_mode & 0o077 != 0 {
                    add(.fail, "\(key): the signing key is readable by others (mode \(String(info.st_mode & 0o777, radix: 8)))", fix: "chmod 600 \(key)")
                } else {
                    add(.ok, "\(key): the signing key is readable by \(account.name) only")
                }
                let output = URL(fileURLWithPath: config.output).standardizedFileURL.path + "/"
                if URL(fileURLWithPath: key).standardizedFileURL.path.hasPrefix(output) {
                    add(.fail, "\(key): the signing key is inside the published folder \(config.output)", fix: "move it and set secret_key_file outside \(config.output)")
                }
            } else {
                add(.warn, "\(key): no signing key yet (the CGI makes one on first use, in a folder \(account.name) must be able to write)")
            }
        }

        // Time zones.
        if let problem = TimeZones.databaseProblem {
            add(.fail, "time zones: \(problem)", fix: "apt-get install tzdata, or set TZDIR")
        } else if let database {
            let mentors = (try? database.reportMentors()) ?? []
            let broken = mentors.filter { $0.isActive && $0.profile.timezone.map { ZoneRules(identifier: $0) == nil } == true }
            if broken.isEmpty {
                add(.ok, "time zones: the system's database reads, and every listed mentor's zone (\(mentors.filter(\.isActive).count) mentors) is in it")
            } else {
                add(.fail, "time zones: \(broken.map { "\($0.slug) (\($0.profile.timezone ?? ""))" }.joined(separator: ", ")) not in the system's time zone database",
                    fix: "update tzdata, or correct the mentors' timezone")
            }
        }

        // Backlogs.
        if let database {
            if let outbox = try? database.outboxBacklog(now: now) {
                if let oldest = outbox.oldestDue, now - oldest > 15 * 60 {
                    add(.warn, "outbox: \(outbox.due) messages due, the oldest queued \((now - oldest) / 60) minutes ago",
                        fix: "is `mentorsite mail` running every minute? (deploy/mentorsite-mail.timer or deploy/mentorsite.cron)")
                } else {
                    add(.ok, "outbox: \(outbox.waiting) waiting, \(outbox.due) due")
                }
                if outbox.givenUp > 0 {
                    add(.warn, "outbox: \(outbox.givenUp) messages given up", fix: "see why with `mentorsite mail`, then `mentorsite mail --retry-given-up`")
                }
            }
            if let hooks = try? database.webhookBacklog(now: now) {
                if hooks.due > 50 {
                    add(.warn, "webhooks: \(hooks.due) deliveries due", fix: "is `mentorsite webhooks` running? (deploy/mentorsite-webhooks.timer)")
                } else {
                    add(.ok, "webhooks: \(hooks.pending) deliveries waiting, \(hooks.due) due")
                }
                if hooks.gaveUp > 0 { add(.warn, "webhooks: \(hooks.gaveUp) deliveries given up", fix: "`mentorsite webhooks --list`") }
            }
            if !config.webhookURLs.isEmpty {
                do {
                    _ = try WebhookSender.key(secretFile: config.webhookSecretFile)
                    add(.ok, "webhooks: the secret in \(config.webhookSecretFile) is a whsec_ key")
                } catch {
                    add(.fail, "webhooks: \(error)", fix: "write a whsec_ secret to webhook_secret_file")
                }
            }
        }

        // The published site.
        if FileManager.default.fileExists(atPath: config.output + "/index.html") {
            add(.ok, "site: \(config.output)/index.html is built")
        } else {
            add(.warn, "site: \(config.output) has no index.html", fix: "run `mentorsite build`")
        }
        return findings.contains { $0.level == .fail } ? 1 : 0
    }

    /// A user and their groups, to tell what they may do with a file from its mode bits.
    /// Read from /etc/passwd and /etc/group themselves: this is a static executable, and the
    /// C library's lookups load NSS modules (libnss_systemd crashed it).
    struct Account {
        var name: String
        var uid: UInt32
        var groups: Set<UInt32>

        init?(name: String, passwd: String = "/etc/passwd", group: String = "/etc/group") {
            let users = Self.entries(passwd)
            guard let entry = users.first(where: { $0.first == name }), entry.count >= 4,
                  let uid = UInt32(entry[2]), let primary = UInt32(entry[3]) else { return nil }
            self.name = name
            self.uid = uid
            var groups: Set<UInt32> = [primary]
            for line in Self.entries(group) where line.count >= 4 {
                if line[3].split(separator: ",").contains(where: { $0 == name }), let gid = UInt32(line[2]) { groups.insert(gid) }
            }
            self.groups = groups
        }

        /// The name of the user with this uid.
        static func name(of uid: UInt32, passwd: String = "/etc/passwd") -> String? {
            entries(passwd).first { $0.count >= 3 && UInt32($0[2]) == uid }?.first
        }

        static func entries(_ path: String) -> [[String]] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        }

        /// The first of `needs` ("r", "w", "x") this user lacks on `path`, as a verb.
        func lacks(_ needs: String, on path: String) -> String? {
            var info = stat()
            guard stat(path, &info) == 0 else { return "find" }
            if uid == 0 { return nil }
            let shift: mode_t = info.st_uid == uid ? 6 : groups.contains(UInt32(info.st_gid)) ? 3 : 0
            let bits = (info.st_mode >> shift) & 0o7
            for (letter, bit, verb) in [("r", mode_t(4), "read"), ("w", mode_t(2), "write"), ("x", mode_t(1), "enter")] where needs.contains(letter) {
                if bits & bit == 0 { return verb }
            }
            return nil
        }
    }
}
