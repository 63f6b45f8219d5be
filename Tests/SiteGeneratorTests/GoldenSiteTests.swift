import Foundation
import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

@Suite struct GoldenSiteTests {
    /// Builds the `basic` fixture and compares every file with `Fixtures/basic/expected`,
    /// failing on any missing, extra or different file. `UPDATE_GOLDEN=1 swift test`
    /// rewrites the golden files; review the diff before committing it.
    @Test func buildMatchesTheGoldenFiles() throws {
        let (site, config) = makeSite(content: "basic")
        defer { withExtendedLifetime(site) {} }
        _ = try generator(config).importContent()
        _ = try generator(config).build()
        let expected = Paths.fixtures + "/basic/expected"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            copyFolder(config.output, to: expected)
            try? FileManager.default.removeItem(atPath: expected + "/" + OutputWriter.marker)
        }
        let built = site.files(under: "public").filter { $0 != OutputWriter.marker }
        let golden = TemporaryFolderView(path: expected).files()
        #expect(built == golden, "files differ from the golden set")
        for file in built where golden.contains(file) {
            let actual = FileManager.default.contents(atPath: config.output + "/" + file)
            let wanted = FileManager.default.contents(atPath: expected + "/" + file)
            #expect(actual == wanted, "\(file) differs from its golden file")
        }
    }
}
