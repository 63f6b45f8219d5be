import Foundation
import MentorCore

/// Where a command runs: its current folder and environment. The one place that finds the
/// configuration and lays command-line flags over it.
///
/// The rules: `--config FILE`, else `MENTORSITE_CONFIG`, else `mentorsite.yml` in the
/// current folder (without one, the defaults, rooted in the current folder). Paths in the
/// file are relative to the file's folder; paths given as flags are relative to the current
/// folder, as in any command.
public struct CommandContext: Sendable {
    public var currentDirectory: String
    public var environment: [String: String]
    /// Output for people (stdout) and diagnostics (stderr).
    public var say: @Sendable (String) -> Void
    public var warn: @Sendable (String) -> Void

    public init(currentDirectory: String = FileManager.default.currentDirectoryPath,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                say: @escaping @Sendable (String) -> Void = { print($0) },
                warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.currentDirectory = currentDirectory
        self.environment = environment
        self.say = say
        self.warn = warn
    }

    /// The configuration file's path as given (flag or environment), if any.
    public func configPath(flag: String?) -> String? {
        flag ?? environment["MENTORSITE_CONFIG"]
    }

    /// The configuration, with `flags` laid over it.
    public func configuration(flag: String?, flags: PathFlags = PathFlags()) throws -> SiteConfig {
        let path = configPath(flag: flag).map(absolute) ?? (Files.exists(absolute(SiteConfig.fileName)) ? absolute(SiteConfig.fileName) : nil)
        // Paths in the file are relative to its folder (without a file, to this one).
        var config = try SiteConfig.load(path: path)
        if path == nil { config.root = currentDirectory }
        // The process's own folder prints as "." so that paths read as people wrote them.
        let processDirectory = FileManager.default.currentDirectoryPath
        if config.root == processDirectory { config.root = "." }
        // A flag names a path from the current folder, whatever the configuration's folder.
        let fromHere = { (value: String) in config.root == "." && currentDirectory == processDirectory ? value : absolute(value) }
        if let value = flags.content { config.contentPath = fromHere(value) }
        if let value = flags.database { config.databasePath = fromHere(value) }
        if let value = flags.templates { config.templatesPath = fromHere(value) }
        if let value = flags.output { config.outputPath = fromHere(value) }
        if let value = flags.baseURL {
            guard let url = SiteConfig.baseURL(value) else {
                throw CommandError("--base-url: \"\(value)\" is not an absolute http(s) URL")
            }
            config.baseURL = url
        }
        return config
    }

    /// `path` made absolute against the current folder.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory + "/" + path
    }

    /// "Now" for this command (`MENTORSITE_TEST_NOW` or the system clock).
    public func now() throws -> Int {
        do { return try Clock.now(environment: environment) } catch { throw CommandError(error.description) }
    }
}

/// Paths and URLs given on the command line, over the configuration's.
public struct PathFlags: Sendable {
    public var content: String?
    public var database: String?
    public var templates: String?
    public var output: String?
    public var baseURL: String?

    public init(content: String? = nil, database: String? = nil, templates: String? = nil, output: String? = nil, baseURL: String? = nil) {
        self.content = content
        self.database = database
        self.templates = templates
        self.output = output
        self.baseURL = baseURL
    }
}

/// A mistake in how a command was called, said once to the person who typed it.
public struct CommandError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
