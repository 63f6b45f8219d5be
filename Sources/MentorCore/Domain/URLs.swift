/// Every URL the site publishes, relative to the site root (which may be a sub-path of
/// the host, e.g. `https://example.org/mentors-site`).
public struct URLs: Sendable {
    /// The path part of `base_url`, without a trailing slash (often empty).
    public let root: String
    public let base: String
    public let booking: String

    public init(config: SiteConfig) {
        base = config.baseURL
        let path = Self.pathComponent(of: base).map(String.init) ?? ""
        root = path.hasSuffix("/") ? String(path.dropLast()) : path
        booking = config.bookingURL
    }

    /// The path of an absolute URL (`https://example.org/a/b` → `/a/b`), or nil for text
    /// that is not `scheme://host/…`.
    public static func pathComponent(of url: String) -> Substring? {
        let bytes = url.utf8
        guard let colon = bytes.indices.first(where: { bytes[$0...].starts(with: "://".utf8) }),
              let slash = url[bytes.index(colon, offsetBy: 3)...].firstIndex(of: "/") else { return nil }
        return url[slash...]
    }

    /// Where the booking CGI is mounted, as a path (for robots.txt, server configs and
    /// cookies), whether `booking_url` is a path or an absolute URL.
    public var bookingPath: String {
        Self.pathComponent(of: booking).map(String.init) ?? booking
    }

    public var home: String { root + "/" }
    public func mentor(_ slug: String) -> String { root + "/mentors/\(slug)/" }
    public func specialty(_ slug: String) -> String { root + "/specialties/\(slug)/" }
    public func language(_ slug: String) -> String { root + "/languages/\(slug)/" }
    public func page(_ slug: String) -> String { root + "/\(slug)/" }
    public func asset(_ name: String) -> String { root + "/assets/\(name)" }

    /// The published name of a file of `templates/assets/`: CSS and JS carry a hash of their
    /// bytes (`style.3f2a9c1e.css`) so that servers may cache them for a year; both the
    /// generator, which writes them, and the CGI, which links them, name them here.
    public static func assetName(_ relative: String, contents: [UInt8]) -> String {
        guard let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") else { return relative }
        let ext = relative[relative.index(after: dot)...]
        guard ["css", "js", "png", "jpg", "jpeg", "webp", "svg"].contains(where: { $0 == ext }) else { return relative }
        // String + String only: appending a Substring goes through the unspecialized
        // `append(contentsOf:)`, whose first call scans every conformance record.
        return String(relative[..<dot]) + "." + Slug.stableHash(bytes: contents) + "." + String(ext)
    }
    public func bookingLink(_ slug: String) -> String { booking + "?mentor=" + WebText.percentEncode(slug) }

    /// The CGI's free-slots JSON for a mentor's next two weeks (for "next free time").
    public func slotsLink(_ slug: String) -> String { booking + "/slots?mentor=" + WebText.percentEncode(slug) + "&days=14" }

    /// An absolute URL for a root-relative path.
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        let host = root.isEmpty ? base : String(base.dropLast(root.count))
        return host + path
    }

    /// The file that serves a URL path (`/mentors/ana/` → `mentors/ana/index.html`).
    public func file(for path: String) -> String {
        var relative = String(path.dropFirst(root.count))
        if relative.hasPrefix("/") { relative.removeFirst() }
        return relative.isEmpty || relative.hasSuffix("/") ? relative + "index.html" : relative
    }
}
