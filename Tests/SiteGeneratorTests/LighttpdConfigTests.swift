import Foundation
import Testing
import SiteGenerator

/// `mentorsite serve` and `deploy/lighttpd.conf` are one configuration: the file is
/// `LighttpdConfig.shipped` (`UPDATE_GOLDEN=1 swift test` rewrites it; review the diff).
@Suite struct LighttpdConfigTests {
    static let deployed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/lighttpd.conf").path

    @Test func theShippedFilesAreWhatServeWrites() throws {
        let fastCGI = Self.deployed.replacingOccurrences(of: "lighttpd.conf", with: "lighttpd-fastcgi.conf")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try LighttpdConfig.shipped.text.write(toFile: Self.deployed, atomically: true, encoding: .utf8)
            try LighttpdConfig.shippedFastCGI.text.write(toFile: fastCGI, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOfFile: Self.deployed, encoding: .utf8) == LighttpdConfig.shipped.text)
        #expect(try String(contentsOfFile: fastCGI, encoding: .utf8) == LighttpdConfig.shippedFastCGI.text)
    }

    @Test func serveFillsInItsOwnPathsAndTheTestClock() {
        let config = LighttpdConfig(root: "/srv/site \"x\"", port: "8080", state: "/srv/state", cgi: "/bin/cgi", config: "/srv/mentorsite.yml",
                                    bookingPath: "/book", errorLog: "/dev/stderr", environment: [("MENTORSITE_TEST_NOW", "1796087100")])
        #expect(config.text.contains("server.document-root = \"/srv/site \\\"x\\\"\""))
        #expect(config.text.contains("setenv.set-environment = (\"MENTORSITE_CONFIG\" => \"/srv/mentorsite.yml\", \"MENTORSITE_TEST_NOW\" => \"1796087100\")"))
        #expect(config.text.contains("alias.url = (\"/book\" => \"/bin/cgi\")") && config.text.contains("server.errorlog = \"/dev/stderr\""))
    }
}
