import Foundation
import Testing
@testable import MentorCLI
import MentorCore

/// A folder tree for one test, removed afterwards.
final class Folders {
    let root = NSTemporaryDirectory() + "mentorsite-cli-" + UUID().uuidString

    init(_ files: [String: String]) throws {
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: Files.folder(of: full), withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + path) }
}

func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardized.path }

let ana = "---\nname: Ana Weber\ntimezone: Europe/Berlin\n---\n\nI listen.\n"

@Suite struct CommandContextTests {
    func context(_ folders: Folders, in folder: String) -> CommandContext {
        CommandContext(currentDirectory: folders.root + "/" + folder, environment: ["MENTORSITE_TEST_NOW": "1796087100"], say: { _ in }, warn: { _ in })
    }

    /// `import --config site/mentorsite.yml --content elsewhere/content` run from a third
    /// folder once wrote the database into that third folder: the flag reset the
    /// configuration's folder to the current one.
    @Test func configuredPathsStayWithTheConfigurationWhenAFlagNamesAnotherFolder() throws {
        let folders = try Folders(["site/mentorsite.yml": "database: data/site.sqlite\n", "site/data/.keep": "",
                                   "elsewhere/content/mentors/ana.md": ana, "work/.keep": ""])
        let context = context(folders, in: "work")
        let config = try context.configuration(flag: "../site/mentorsite.yml", flags: PathFlags(content: "../elsewhere/content"))
        #expect(standardized(config.database) == folders.root + "/site/data/site.sqlite")
        #expect(standardized(config.content) == folders.root + "/elsewhere/content")
        try ImportCommand.run(context, config: "../site/mentorsite.yml", flags: PathFlags(content: "../elsewhere/content"))
        #expect(folders.exists("site/data/site.sqlite"))
        #expect(!folders.exists("work/site.sqlite") && !folders.exists("work/data/site.sqlite"))
    }

    @Test func theEnvironmentNamesTheConfigurationWhenNoFlagDoes() throws {
        let folders = try Folders(["site/mentorsite.yml": "output: out\n", "work/.keep": ""])
        var context = context(folders, in: "work")
        context.environment["MENTORSITE_CONFIG"] = folders.root + "/site/mentorsite.yml"
        #expect(try context.configuration(flag: nil).output == folders.root + "/site/out")
        #expect(try context.configuration(flag: nil, flags: PathFlags(output: "here")).output == folders.root + "/work/here")
    }

    @Test func withoutAConfigurationFileTheDefaultsLiveInTheCurrentFolder() throws {
        let folders = try Folders(["work/.keep": ""])
        let config = try context(folders, in: "work").configuration(flag: nil)
        #expect(config.database == folders.root + "/work/site.sqlite")
        #expect(config.content == folders.root + "/work/content")
    }

    /// `--base-url` was once spliced into YAML text and parsed: a quote in it could add keys.
    @Test func baseURLFlagsAreCheckedAsURLsNeverReadAsYAML() throws {
        let folders = try Folders(["mentorsite.yml": "site_name: Mentors\n"])
        let context = context(folders, in: "")
        let good = try context.configuration(flag: nil, flags: PathFlags(baseURL: "https://example.org/mentors/"))
        #expect(good.baseURL == "https://example.org/mentors")
        for bad in ["https://example.org\"\nsite_name: Evil", "https://example.org\" # ", "ftp://example.org", "example.org", "https://exa mple.org", "https://example.org/?q=1"] {
            #expect(throws: CommandError.self) { try context.configuration(flag: nil, flags: PathFlags(baseURL: bad)) }
        }
    }

    @Test func aBrokenTestClockIsAClearError() throws {
        let folders = try Folders(["work/.keep": ""])
        var context = context(folders, in: "work")
        context.environment["MENTORSITE_TEST_NOW"] = "tomorrow"
        #expect(throws: CommandError("MENTORSITE_TEST_NOW must be Unix seconds (digits only), not \"tomorrow\"")) { try context.now() }
    }
}
