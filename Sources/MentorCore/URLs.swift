/// Every URL the site publishes, relative to the site root (which may be a sub-path of
/// the host, e.g. `https://example.org/mentors-site`).
public struct URLs: Sendable {
    /// The path part of `base_url`, without a trailing slash (often empty).
    public let root: String
    public let base: String
    public let booking: String

    public init(config: SiteConfig) {
        base = config.baseURL
        var path = ""
        if let schemeEnd = base.range(of: "://"), let slash = base[schemeEnd.upperBound...].firstIndex(of: "/") {
            path = String(base[slash...])
        }
        root = path.hasSuffix("/") ? String(path.dropLast()) : path
        booking = config.bookingURL
    }

    public var home: String { root + "/" }
    public func mentor(_ slug: String) -> String { root + "/mentors/\(slug)/" }
    public func specialty(_ slug: String) -> String { root + "/specialties/\(slug)/" }
    public func page(_ slug: String) -> String { root + "/\(slug)/" }
    public func asset(_ name: String) -> String { root + "/assets/\(name)" }
    public func bookingLink(_ slug: String) -> String { booking + "?mentor=" + WebText.percentEncode(slug) }

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
