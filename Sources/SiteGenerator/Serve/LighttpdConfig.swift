import Foundation
import MentorCore

/// The lighttpd configuration for the site and the booking CGI (mod_cgi, or the same
/// executable persistent through mod_fastcgi): static files from the output folder,
/// `404.html` for missing pages, long cache lifetimes for fingerprinted assets, the booking
/// at its path with `MENTORSITE_CONFIG`, the private files refused, and the 301s for old
/// slugs that `build` writes. `mentorsite serve` writes it with real paths;
/// `deploy/lighttpd.conf` and `deploy/lighttpd-fastcgi.conf` are the same text with `@…@`
/// placeholders (`LighttpdConfig.shipped`, `.shippedFastCGI`), kept equal by a test.
public struct LighttpdConfig: Sendable {
    public var root: String
    public var port: String
    /// Where the pid file goes (and the error log, unless `errorLog` says otherwise).
    public var state: String
    public var cgi: String
    public var config: String
    public var bookingPath: String
    public var errorLog: String
    /// Variables besides `MENTORSITE_CONFIG` for the CGI (the test clock, when set).
    public var environment: [(name: String, value: String)]
    /// Run the booking executable persistently (mod_fastcgi) instead of once per request.
    public var fastCGI = false
    /// FastCGI processes lighttpd keeps running (and starts again when one dies).
    public var processes = 2

    public init(root: String, port: String, state: String, cgi: String, config: String, bookingPath: String,
                errorLog: String? = nil, environment: [(name: String, value: String)] = []) {
        self.root = root
        self.port = port
        self.state = state
        self.cgi = cgi
        self.config = config
        self.bookingPath = bookingPath
        self.errorLog = errorLog ?? state + "/lighttpd-error.log"
        self.environment = environment
    }

    /// What `deploy/lighttpd.conf` holds.
    public static let shipped = LighttpdConfig(root: "@ROOT@", port: "@PORT@", state: "@STATE@", cgi: "@CGI@", config: "@CONFIG@",
                                               bookingPath: "/cgi-bin/book")

    /// What `deploy/lighttpd-fastcgi.conf` holds.
    public static let shippedFastCGI: LighttpdConfig = {
        var config = shipped
        config.fastCGI = true
        return config
    }()

    public var text: String {
        func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let variables = [("MENTORSITE_CONFIG", config)] + environment.map { ($0.name, $0.value) }
        let booking = fastCGI ? """
            # The booking: mentorsite-cgi kept running as a FastCGI responder, \(processes) processes that
            # lighttpd starts again when one dies, for \(bookingPath) and everything under it (PATH_INFO).
            fastcgi.server = (\(quote(bookingPath)) => ((
              "socket" => \(quote(state + "/mentorsite-cgi.sock")),
              "bin-path" => \(quote(cgi)),
              "bin-environment" => (\(variables.map { quote($0.0) + " => " + quote($0.1) }.joined(separator: ", "))),
              "max-procs" => \(processes),
              "check-local" => "disable",
            )))
            """ : """
            # The booking CGI: \(bookingPath) and everything under it (PATH_INFO).
            alias.url = (\(quote(bookingPath)) => \(quote(cgi)))
            $HTTP["url"] =^ \(quote(bookingPath)) {
              cgi.assign = ("" => "")
              setenv.set-environment = (\(variables.map { quote($0.0) + " => " + quote($0.1) }.joined(separator: ", ")))
            }
            """
        let file = fastCGI ? "deploy/lighttpd-fastcgi.conf" : "deploy/lighttpd.conf"
        let modules = fastCGI ? "\"mod_access\", \"mod_redirect\", \"mod_setenv\", \"mod_fastcgi\", \"mod_staticfile\""
            : "\"mod_access\", \"mod_alias\", \"mod_redirect\", \"mod_setenv\", \"mod_cgi\", \"mod_staticfile\""
        return """
            # lighttpd with \(fastCGI ? "mod_fastcgi" : "mod_cgi") for mentorsite: static pages from public/, the booking at
            # /cgi-bin/book. `mentorsite serve\(fastCGI ? " --fastcgi" : "")` writes this file with the @…@ placeholders filled in
            # (listening on 127.0.0.1 only), and so do the end-to-end tests; generated from
            # LighttpdConfig (SiteGenerator), which a test keeps equal to \(file).
            server.modules = (\(modules))
            server.document-root = \(quote(root))
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.pid-file = \(quote(state + "/lighttpd.pid"))
            server.errorlog = \(quote(errorLog))
            # Missing pages get public/404.html with status 404.
            server.errorfile-prefix = \(quote(root + "/"))
            index-file.names = ("index.html")
            url.access-deny = (".htaccess", ".mentorsite-build", "redirects.nginx.map", "redirects.lighttpd.conf", "_redirects", "~", ".inc")
            # Request bodies over 64 KiB are refused before the CGI starts.
            server.max-request-size = 64
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
            # Fingerprinted assets never change under one name.
            $HTTP["url"] =~ "^/assets/" {
              setenv.add-response-header = ("Cache-Control" => "public, max-age=31536000, immutable")
            }
            \(booking)
            # Old profile URLs → 301 to the current ones (written by `mentorsite build`).
            include \(quote(root + "/redirects.lighttpd.conf"))

            """
    }
}
