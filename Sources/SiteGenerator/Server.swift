import Foundation
import MentorCore

/// `mentorsite serve`: a real web server (lighttpd) with the built site and the booking
/// CGI, for local preview on 127.0.0.1.
public struct LocalServer {
    public var config: SiteConfig
    public var configPath: String
    public var port: Int
    public var cgiExecutable: String
    /// `MENTORSITE_TEST_NOW` of `serve`'s own environment, handed on to the CGI so that a
    /// test (or a demonstration) runs the whole site at one fixed instant.
    public var testNow: String?

    public init(config: SiteConfig, configPath: String, port: Int, cgiExecutable: String, testNow: String? = nil) {
        self.config = config
        self.configPath = configPath
        self.port = port
        self.cgiExecutable = cgiExecutable
        self.testNow = testNow
    }

    /// Where lighttpd is, or nil.
    public static func findLighttpd() -> String? {
        ["/usr/sbin/lighttpd", "/usr/bin/lighttpd", "/usr/local/sbin/lighttpd", "/usr/local/bin/lighttpd"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The lighttpd configuration: static files from the output folder, the CGI at the
    /// booking path, `404.html` for missing pages, 301s for old slugs.
    public func lighttpdConfig() -> String {
        let root = Self.absolute(config.output)
        let bookingPath = URLs(config: config).bookingPath
        func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var text = """
            # Written by `mentorsite serve`; regenerated on every start.
            server.modules = ("mod_access", "mod_alias", "mod_redirect", "mod_setenv", "mod_cgi", "mod_staticfile")
            server.document-root = \(quote(root))
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.errorlog = "/dev/stderr"
            server.errorfile-prefix = \(quote(root + "/"))
            index-file.names = ("index.html")
            url.access-deny = (".htaccess", ".mentorsite-build", "redirects.nginx.map", "redirects.lighttpd.conf", "_redirects", "~", ".inc")
            mimetype.assign = (
              ".html" => "text/html; charset=utf-8",
              ".css" => "text/css; charset=utf-8",
              ".js" => "text/javascript; charset=utf-8",
              ".json" => "application/json",
              ".xml" => "application/xml; charset=utf-8",
              ".txt" => "text/plain; charset=utf-8",
              ".svg" => "image/svg+xml",
              ".png" => "image/png",
              ".jpg" => "image/jpeg",
              ".webp" => "image/webp",
              ".ico" => "image/x-icon",
              ".ics" => "text/calendar; charset=utf-8",
            )
            $HTTP["url"] =~ "^/assets/" {
              setenv.add-response-header = ("Cache-Control" => "public, max-age=31536000, immutable")
            }
            alias.url = (\(quote(bookingPath)) => \(quote(Self.absolute(cgiExecutable))))
            $HTTP["url"] =^ \(quote(bookingPath)) {
              cgi.assign = ("" => "")
              setenv.set-environment = ("MENTORSITE_CONFIG" => \(quote(Self.absolute(configPath)))\(testNow.map { ", \"\(Clock.variable)\" => " + quote($0) } ?? ""))
            }

            """
        // Old slugs → 301, from the file `mentorsite build` writes.
        let redirects = root + "/redirects.lighttpd.conf"
        if FileManager.default.fileExists(atPath: redirects) { text += "include \(quote(redirects))\n" }
        return text
    }
}
