import ArgumentParser
import MentorCLI

extension MentorSite {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reads content/mentors/*.md into the database (profile sync).")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Content folder.", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(name: .customLong("prefer-file"), help: ArgumentHelp("A mentor's file that wins over their web edits (repeatable).", valueName: "FILE"))
        var preferFile: [String] = []
        @Flag(help: "Read and parse every file, even those unchanged since the last import.") var full = false

        func run() throws {
            try perform { try ImportCommand.run($0, config: options.config, flags: PathFlags(content: content, database: db), preferringFiles: preferFile, full: full) }
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Renders the site from the database into the output folder.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Content folder (for pages/).", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("Templates folder.", valueName: "DIR")) var templates: String?
        @Option(help: ArgumentHelp("Output folder.", valueName: "DIR")) var output: String?
        @Option(name: .customLong("base-url"), help: ArgumentHelp("Absolute URL of the site.", valueName: "URL")) var baseURL: String?
        @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
        @Flag(help: "Render every page even when nothing changed since the last build (and refresh files changed by hand).") var force = false

        func run() throws {
            let flags = PathFlags(content: content, database: db, templates: templates, output: output, baseURL: baseURL)
            try perform { try BuildCommand.run($0, config: options.config, flags: flags, quiet: quiet, force: force); return 0 }
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serves the built site and the booking CGI with lighttpd on 127.0.0.1.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Port on 127.0.0.1.") var port: Int = 8080
        @Flag(help: "Import and rebuild whenever content, templates or the configuration change.") var watch = false
        @Flag(name: .customLong("fastcgi"), help: "Run the booking persistently through lighttpd's mod_fastcgi instead of one process per request.") var fastCGI = false

        func run() throws {
            try perform { try ServeCommand.run($0, config: options.config, port: port, watch: watch, fastCGI: fastCGI) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Writes the database's profiles (with the mentors' web edits) back into content/mentors/*.md.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Content folder.", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Only this mentor.", valueName: "SLUG")) var mentor: String?

        func run() throws {
            try perform { try ExportCommand.run($0, config: options.config, flags: PathFlags(content: content, database: db), mentor: mentor); return 0 }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Builds the pages that mentors' web edits changed (for cron or a systemd path unit).")
        @OptionGroup var options: ConfigOption
        @Flag(help: "Keep going: publish within half a second of every edit until stopped.") var watch = false
        @Flag(name: .shortAndLong, help: "Print nothing but errors (for cron).") var quiet = false

        func run() throws {
            try perform { try PublishCommand.run($0, config: options.config, watch: watch, quiet: quiet) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validates content, templates and database; exits 1 on errors.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("Content folder.", valueName: "DIR")) var content: String?
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?

        func run() throws {
            try perform { try CheckCommand.run($0, config: options.config, flags: PathFlags(content: content, database: db)) }
        }
    }

    struct Appointments: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists appointments, for mentors and site owners.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Only this mentor's appointments.", valueName: "SLUG")) var mentor: String?
        @Option(help: ArgumentHelp("Only appointments starting on or after this UTC date.", valueName: "YYYY-MM-DD")) var from: String?
        @Option(help: "Output format: table, csv or json.") var format: AppointmentsCommand.Format = .table

        func run() throws {
            try perform { try AppointmentsCommand.run($0, config: options.config, flags: PathFlags(database: db), mentor: mentor, from: from, format: format); return 0 }
        }
    }

    struct Mail: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expires holds, settles payments, queues reminders, then delivers queued mail (and SMS) through a sendmail-compatible command.",
                                                        discussion: "Exit status: 0 all sent; 2 some failed and will be retried; 3 some were given up after mail_max_attempts attempts (one line each; they stay in the outbox until --retry-given-up).")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Command that reads one RFC 5322 message on stdin (no shell).", valueName: "COMMAND"))
        var sendmail: String = "/usr/sbin/sendmail -i -t"
        @Option(help: ArgumentHelp("The From: address.", valueName: "ADDRESS")) var from: String = "Mood Mentors <bookings@localhost>"
        @Flag(name: .customLong("retry-given-up"), help: "Try the messages given up on again, with a fresh count of attempts.") var retryGivenUp = false
        @Flag(name: .shortAndLong, help: "Print only messages given up on (for cron; the exit status still tells).") var quiet = false

        func run() throws {
            try perform { try MailCommand.run($0, config: options.config, flags: PathFlags(database: db), sendmail: sendmail, from: from, retryGivenUp: retryGivenUp, quiet: quiet) }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Writes a consistent copy of the live database to FILE (SQLite's online backup API).",
                                                        discussion: "The booking may keep writing meanwhile. The copy is one self-contained file, checked with integrity_check, and replaces FILE only when whole.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Flag(name: .shortAndLong, help: "Print nothing but errors (for cron).") var quiet = false
        @Argument(help: ArgumentHelp("The copy to write.", valueName: "FILE")) var file: String

        func run() throws {
            try perform { try BackupCommand.run($0, config: options.config, flags: PathFlags(database: db), file: file, quiet: quiet) }
        }
    }

    struct Webhooks: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delivers queued webhook events (Standard Webhooks signatures) to webhook_url.",
                                                        discussion: "Exit status: 0 all delivered; 2 some failed and will be retried; 3 some were given up or an endpoint answered 410 Gone and was disabled.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Flag(help: "List the newest deliveries with their status instead.") var list = false
        @Option(help: ArgumentHelp("Enable an endpoint disabled by a 410 answer again.", valueName: "URL")) var enable: String?
        @Flag(name: .shortAndLong, help: "Print only problems (for cron).") var quiet = false

        func run() throws {
            try perform { try WebhooksCommand.run($0, config: options.config, flags: PathFlags(database: db), list: list, enable: enable, quiet: quiet) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Records that an operator checked a mentor's credentials; the profile shows a dated badge.",
                                                        discussion: "Who (your login), when and the note are kept in the verification history (--history).")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("What was checked (one line).", valueName: "TEXT")) var note: String?
        @Flag(help: "Show the mentor's verification history instead.") var history = false
        @Argument(help: ArgumentHelp("The mentor's slug.", valueName: "SLUG")) var slug: String

        func run() throws {
            try perform { try VerifyCommand.run($0, config: options.config, flags: PathFlags(database: db), slug: slug, verified: true, note: note, history: history) }
        }
    }

    struct Unverify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraws a mentor's verification (kept in the history, with the note).")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("Why (one line).", valueName: "TEXT")) var note: String?
        @Argument(help: ArgumentHelp("The mentor's slug.", valueName: "SLUG")) var slug: String

        func run() throws {
            try perform { try VerifyCommand.run($0, config: options.config, flags: PathFlags(database: db), slug: slug, verified: false, note: note, history: false) }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Writes a report of bookings: per week, mentor and specialty, cancellation and no-show rates, lead time, busiest hours and utilisation.",
                                                        discussion: "A self-contained HTML page with inline SVG charts, or CSV (--format csv). Aggregates only: no patient appears. The period is whole UTC days, by default the last 12 weeks.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("First day (default: 83 days before today).", valueName: "YYYY-MM-DD")) var from: String?
        @Option(help: ArgumentHelp("Last day (default: today).", valueName: "YYYY-MM-DD")) var to: String?
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "FILE")) var output: String?
        @Option(help: "html or csv.") var format: ReportCommand.Format = .html

        func run() throws {
            try perform { try ReportCommand.run($0, config: options.config, flags: PathFlags(database: db), from: from, to: to, output: output, format: format) }
        }
    }

    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Checks the deployment and says what to fix: configuration, database and key permissions for the web server's user, time zones, outbox and webhook backlogs, the built site.",
                                                        discussion: "Exit status 1 when something must be fixed (FAIL); warnings alone exit 0.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Option(help: ArgumentHelp("The user the CGI runs as (default: www-data when it exists).", valueName: "NAME")) var user: String?

        func run() throws {
            try perform { try DoctorCommand.run($0, config: options.config, flags: PathFlags(database: db), user: user) }
        }
    }

    struct Patient: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A patient's data rights: export every row about them, or erase their identity.",
                                                        subcommands: [PatientExport.self, PatientErase.self])
    }

    struct PatientExport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Prints every row about the patient with this address as JSON (logged, without the data).")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Argument(help: ArgumentHelp("The patient's email address.", valueName: "EMAIL")) var email: String

        func run() throws {
            try perform { try PatientCommand.export($0, config: options.config, flags: PathFlags(database: db), email: email) }
        }
    }

    struct PatientErase: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "erase", abstract: "Erases the patient's identity from every table and from the file's free pages; their appointments stay, anonymised.",
                                                        discussion: "Refused while the patient has a session still to come. Logged without the data.")
        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("SQLite database file.", valueName: "FILE")) var db: String?
        @Argument(help: ArgumentHelp("The patient's email address.", valueName: "EMAIL")) var email: String

        func run() throws {
            try perform { try PatientCommand.erase($0, config: options.config, flags: PathFlags(database: db), email: email) }
        }
    }
}

extension AppointmentsCommand.Format: ExpressibleByArgument {}
extension ReportCommand.Format: ExpressibleByArgument {}
