import Foundation
import MentorCore
import SiteGenerator

/// `mentorsite serve`: lighttpd on 127.0.0.1 with the built site and the booking CGI, from
/// the same configuration `deploy/lighttpd.conf` ships; with `--watch`, lighttpd runs as a
/// child and content, templates and the configuration are rebuilt on every change.
public enum ServeCommand {
    public static func run(_ context: CommandContext, config flag: String?, port: Int, watch: Bool, fastCGI: Bool = false) throws -> Never {
        let config = try context.configuration(flag: flag)
        guard (1...65535).contains(port) else { throw CommandError("--port must be between 1 and 65535") }
        guard let lighttpd = findLighttpd() else {
            throw CommandError("lighttpd is not installed; install it with `apt-get install lighttpd` (or run `make run`)")
        }
        guard Files.exists(config.output + "/index.html") else {
            throw CommandError("\(config.output) has no built site; run `mentorsite build` first")
        }
        var environment: [(name: String, value: String)] = []
        if let testNow = context.environment[Clock.variable] {
            _ = try context.now()
            environment.append((Clock.variable, testNow))
        }
        let state = config.resolve(".mentorsite")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        var server = LighttpdConfig(root: context.absolute(config.output), port: String(port), state: context.absolute(state), cgi: cgiExecutable(),
                                    config: context.absolute(context.configPath(flag: flag) ?? config.resolve(SiteConfig.fileName)),
                                    bookingPath: URLs(config: config).bookingPath, errorLog: "/dev/stderr", environment: environment)
        server.fastCGI = fastCGI
        let confPath = state + "/lighttpd.conf"
        try server.text.write(toFile: confPath, atomically: true, encoding: .utf8)
        context.say("Serving \(config.output) and booking at http://127.0.0.1:\(port)/ (lighttpd\(fastCGI ? " with FastCGI" : ""), Ctrl-C stops)")
        fflush(nil)
        try serve(context, lighttpd: lighttpd, confPath: confPath, config: config,
                  watcher: watch ? SourceWatcher(config: config, configPath: context.configPath(flag: flag) ?? config.resolve(SiteConfig.fileName)) : nil)
    }

    /// Where lighttpd is, or nil.
    static func findLighttpd() -> String? {
        ["/usr/sbin/lighttpd", "/usr/bin/lighttpd", "/usr/local/sbin/lighttpd", "/usr/local/bin/lighttpd"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `mentorsite-cgi` beside this executable.
    static func cgiExecutable() -> String {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (selfPath as NSString).deletingLastPathComponent + "/mentorsite-cgi"
    }

    /// lighttpd as a child, and a poll every half second: for mentors' web edits waiting to
    /// be published (always), and with `--watch` for changed content, templates and
    /// configuration. Ctrl-C or SIGTERM stops both; if lighttpd stops, so does this. When a
    /// rebuild changes the redirects (a renamed mentor), lighttpd reloads them (SIGUSR1: a
    /// graceful restart in the same process).
    static func serve(_ context: CommandContext, lighttpd: String, confPath: String, config: SiteConfig, watcher: SourceWatcher?) throws -> Never {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: lighttpd)
        server.arguments = ["-D", "-f", confPath]
        try server.run()
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        if let watcher {
            context.say("Watching \(watcher.config.content), \(watcher.config.templates) and \(watcher.configPath) for changes")
        }
        fflush(nil)
        let publisher = Publisher(config: config)
        var last = watcher?.snapshot()
        let redirectsPath = config.output + "/redirects.lighttpd.conf"
        while stopRequested == 0 && server.isRunning {
            usleep(500_000)
            let redirectsBefore = Files.bytes(at: redirectsPath)
            var rebuilt = false
            if let watcher, watcher.snapshot() != last {
                // Let an editor finish writing before reading.
                usleep(200_000)
                last = watcher.snapshot()
                let result = watcher.rebuild()
                if result.ok { context.say(result.message) } else { context.warn(result.message) }
                rebuilt = result.ok
            } else {
                switch publisher.publishIfPending() {
                case .nothing: break
                case .published(let message): context.say(message); rebuilt = true
                case .failed(let message): context.warn(message)
                }
            }
            if rebuilt, Files.bytes(at: redirectsPath) != redirectsBefore {
                kill(server.processIdentifier, SIGUSR1)
                context.say("Reloaded lighttpd (the redirects changed)")
            }
            fflush(nil)
        }
        if server.isRunning {
            // lighttpd can miss a SIGTERM that arrives while it reloads (SIGUSR1): ask again
            // each second, and after five seconds stop it with SIGKILL, rather than wait
            // forever (seen once in the e2e suite: serve hung after a rename's reload).
            server.terminate()
            for tick in 1...50 where server.isRunning {
                usleep(100_000)
                if tick % 10 == 0 { kill(server.processIdentifier, SIGTERM) }
            }
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
            exit(0)
        }
        exit(server.terminationStatus)
    }
}

/// Set by SIGINT/SIGTERM while `serve --watch` runs.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0
