import ArgumentParser
import Foundation
import MentorCore
import SiteGenerator
import Booking
import BookingMail

/// Options every command shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Site configuration file.", valueName: "FILE"))
    var config: String?

    /// The configuration, with command-line paths laid over it.
    func load() throws -> SiteConfig {
        try SiteConfig.load(path: config ?? ProcessInfo.processInfo.environment["MENTORSITE_CONFIG"])
    }

    var path: String { config ?? ProcessInfo.processInfo.environment["MENTORSITE_CONFIG"] ?? SiteConfig.fileName }
}

@main
struct MentorSite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mentorsite",
        abstract: "Builds the mentor directory site and serves its booking.",
        discussion: "Settings come from mentorsite.yml in the current folder (or --config); flags override them.",
        subcommands: [Import.self, Build.self, Serve.self, Check.self, Appointments.self, Mail.self])
}

/// Set by SIGINT/SIGTERM while `serve --watch` runs.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// Prints a failure once to stderr and exits non-zero.
func fail(_ error: Any) -> Never {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    Foundation.exit(1)
}

func say(_ line: String) {
    print(line)
}

extension MentorSite {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reads content/mentors/*.md into the database (profile sync).")
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("Content folder.", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?

        func run() throws {
            do {
                var config = try options.load()
                if let content { config.contentPath = content; config.root = "." }
                if let db { config.databasePath = db }
                let report = try Generator(config: config).importContent()
                say("Imported \(config.content) into \(config.database): \(report.inserted.count) new, \(report.updated.count) updated, \(report.unchanged) unchanged, \(report.deactivated.count) removed")
                for (old, new) in report.renamed.sorted(by: { $0.key < $1.key }) {
                    say("  /mentors/\(old)/ now redirects to /mentors/\(new)/")
                }
            } catch { fail(error) }
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Renders the site from the database into the output folder.")
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Content folder (for pages/).", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("Templates folder.", valueName: "DIR")) var templates: String?
        @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var output: String?
        @Option(name: .customLong("base-url"), help: ArgumentHelp("Absolute URL of the site.", valueName: "URL")) var baseURL: String?
        @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
        @Flag(help: "Render every page even when nothing changed since the last build.") var force = false

        func run() throws {
            do {
                var config = try options.load()
                if let db { config.databasePath = db }
                if let content { config.contentPath = content }
                if let templates { config.templatesPath = templates }
                if let output { config.outputPath = output }
                if let baseURL {
                    // Validate through the same rules as the file.
                    config.baseURL = try SiteConfig.parse("base_url: \"\(baseURL)\"", file: "--base-url").baseURL
                }
                let start = Date()
                let quiet = self.quiet
                let report = try Generator(config: config, log: { if !quiet { say($0) } }).build(force: force)
                if !quiet {
                    let seconds = Date().timeIntervalSince(start)
                    say("Built \(report.mentors) mentor pages (\(report.files) files) in \(String(format: "%.2f", seconds)) s")
                }
            } catch { fail(error) }
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serves the built site and the booking CGI with lighttpd on 127.0.0.1.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Port on 127.0.0.1.") var port: Int = 8080
        @Flag(help: "Import and rebuild whenever content, templates or the configuration change.") var watch = false

        func run() throws {
            do {
                let config = try options.load()
                guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
                guard let lighttpd = LocalServer.findLighttpd() else {
                    throw ValidationError("lighttpd is not installed; install it with `apt-get install lighttpd` (or run `make run`)")
                }
                guard FileManager.default.fileExists(atPath: config.output + "/index.html") else {
                    throw ValidationError("\(config.output) has no built site; run `mentorsite build` first")
                }
                let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
                let cgi = (selfPath as NSString).deletingLastPathComponent + "/mentorsite-cgi"
                let testNow = ProcessInfo.processInfo.environment[Clock.variable]
                if testNow != nil { _ = try Clock.now(environment: ProcessInfo.processInfo.environment) }
                let server = LocalServer(config: config, configPath: options.path, port: port, cgiExecutable: cgi, testNow: testNow)
                let stateFolder = config.resolve(".mentorsite")
                try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
                let confPath = stateFolder + "/lighttpd.conf"
                try server.lighttpdConfig().write(toFile: confPath, atomically: true, encoding: .utf8)
                say("Serving \(config.output) and booking at http://127.0.0.1:\(port)/ (lighttpd, Ctrl-C stops)")
                fflush(nil)
                if watch {
                    try serveWatching(lighttpd: lighttpd, confPath: confPath, server: server, watcher: SourceWatcher(config: config, configPath: options.path))
                }
                let arguments = [lighttpd, "-D", "-f", confPath]
                let argv = arguments.map { strdup($0) } + [nil]
                execv(lighttpd, argv)
                throw ValidationError("cannot start \(lighttpd): \(String(cString: strerror(errno)))")
            } catch let error as ValidationError {
                fail(error.message)
            } catch { fail(error) }
        }
    }

    /// lighttpd as a child, and a poll every half second for changed sources. Ctrl-C or
    /// SIGTERM stops both; if lighttpd stops, so does this. When a rebuild changes the
    /// redirects (a renamed mentor) or lighttpd's configuration, lighttpd reloads them
    /// (SIGUSR1: a graceful restart in the same process).
    static func serveWatching(lighttpd: String, confPath: String, server local: LocalServer, watcher: SourceWatcher) throws -> Never {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: lighttpd)
        server.arguments = ["-D", "-f", confPath]
        try server.run()
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        say("Watching \(watcher.config.content), \(watcher.config.templates) and \(watcher.configPath) for changes")
        fflush(nil)
        var last = watcher.snapshot()
        while stopRequested == 0 && server.isRunning {
            usleep(500_000)
            let now = watcher.snapshot()
            guard now != last else { continue }
            // Let an editor finish writing before reading.
            usleep(200_000)
            last = watcher.snapshot()
            let redirectsPath = watcher.config.output + "/redirects.lighttpd.conf"
            let redirectsBefore = Files.bytes(at: redirectsPath)
            let result = watcher.rebuild()
            if result.ok { say(result.message) } else { FileHandle.standardError.write(Data((result.message + "\n").utf8)) }
            let configuration = local.lighttpdConfig()
            if result.ok, Files.bytes(at: redirectsPath) != redirectsBefore || Files.readText(confPath) != configuration {
                try? configuration.write(toFile: confPath, atomically: true, encoding: .utf8)
                kill(server.processIdentifier, SIGUSR1)
                say("Reloaded lighttpd (redirects or its configuration changed)")
            }
            fflush(nil)
        }
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
            Foundation.exit(0)
        }
        Foundation.exit(server.terminationStatus)
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validates content, templates and database; exits 1 on errors.")
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("Content folder.", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?

        func run() throws {
            let report: Generator.CheckReport
            do {
                var config = try options.load()
                if let content { config.contentPath = content }
                if let db { config.databasePath = db }
                report = Generator(config: config).check()
            } catch { fail(error) }
            if !report.completeness.isEmpty {
                say("Profile completeness:")
                for item in report.completeness {
                    let missing = item.result.missing.isEmpty ? "complete" : "missing " + item.result.missing.joined(separator: ", ")
                    say("  \(String(repeating: " ", count: max(0, 4 - String(item.result.percent).count)))\(item.result.percent)%  \(item.sourcePath) (\(item.name)): \(missing)")
                }
            }
            for diagnostic in report.diagnostics {
                FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
            }
            let errors = report.diagnostics.filter { $0.severity == .error }.count
            let warnings = report.diagnostics.count - errors
            say("\(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings")")
            if report.hasErrors { throw ExitCode(1) }
        }
    }
}


extension MentorSite {
    struct Appointments: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists appointments, for mentors and site owners.")
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Only this mentor's appointments.", valueName: "SLUG")) var mentor: String?
        @Option(help: ArgumentHelp("Only appointments starting on or after this UTC date.", valueName: "YYYY-MM-DD")) var from: String?
        @Option(help: "Output format: table, csv or json.") var format: Format = .table

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        func run() throws {
            do {
                var config = try options.load()
                if let db { config.databasePath = db }
                var start: Int?
                if let from {
                    guard let date = CalendarDate(from) else { throw ValidationError("--from must be a real date YYYY-MM-DD, not \"\(from)\"") }
                    start = date.daysSinceEpoch * 86_400
                }
                let database = try MentorDatabase(path: config.database, create: false)
                let rows = try database.listAppointments(mentorSlug: mentor, from: start)
                print(render(rows), terminator: "")
            } catch let error as ValidationError {
                fail(error.message)
            } catch { fail(error) }
        }

        func render(_ rows: [AppointmentListing]) -> String {
            let header = ["start (UTC)", "mentor", "local date", "local time", "time zone", "minutes", "type", "status", "patient", "email", "phone"]
            let values = rows.map { [$0.start, $0.mentorSlug, $0.localDate, $0.localStart, $0.timezone, String($0.minutes), $0.type, $0.status, $0.patientName, $0.patientEmail, $0.patientPhone ?? ""] }
            switch format {
            case .csv:
                func field(_ text: String) -> String {
                    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
                }
                return ([header] + values).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
            case .json:
                let objects = rows.map { row -> [String: String] in
                    var object = ["id": row.id, "start": row.start, "mentor": row.mentorSlug, "local_date": row.localDate, "local_time": row.localStart,
                                  "timezone": row.timezone, "minutes": String(row.minutes), "type": row.type, "status": row.status,
                                  "patient_name": row.patientName, "patient_email": row.patientEmail]
                    if let phone = row.patientPhone { object["patient_phone"] = phone }
                    return object
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                return String(decoding: (try? encoder.encode(objects)) ?? Data("[]".utf8), as: UTF8.self) + "\n"
            case .table:
                if rows.isEmpty { return "No appointments.\n" }
                let table = [header] + values
                let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
                return table.map { row in
                    row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
                }.joined(separator: "\n") + "\n"
            }
        }
    }

    struct Mail: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delivers queued booking mail through a sendmail-compatible command.")
        @OptionGroup var options: ConfigOptions
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Command that reads one RFC 5322 message on stdin (no shell).", valueName: "COMMAND"))
        var sendmail: String = "/usr/sbin/sendmail -i -t"
        @Option(help: ArgumentHelp("The From: address.", valueName: "ADDRESS")) var from: String = "Mood Mentors <bookings@localhost>"

        func run() throws {
            do {
                var config = try options.load()
                if let db { config.databasePath = db }
                let arguments = MailDelivery.arguments(sendmail)
                guard !arguments.isEmpty else { throw ValidationError("--sendmail needs a command") }
                let database = try MentorDatabase(path: config.database, create: false)
                let now = try Clock.now(environment: ProcessInfo.processInfo.environment)
                let chores = try Housekeeping.run(database: database, payments: TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: now), now: now) { say($0) }
                if chores.expiredHolds > 0 || chores.voided > 0 || chores.voidFailures > 0 {
                    say("\(chores.expiredHolds) holds expired, \(chores.voided) payments voided, \(chores.voidFailures) not voided")
                }
                let report = try MailDelivery(command: arguments, from: from).deliver(database: database, now: now) { say($0) }
                say("\(report.sent) sent, \(report.failed) failed")
                if report.failed > 0 { throw ExitCode(2) }
            } catch let error as ExitCode {
                throw error
            } catch let error as ValidationError {
                fail(error.message)
            } catch { fail(error) }
        }
    }
}
