import FoundationEssentials
import MentorCore
import MentorStore

/// Sets up one CGI request: configuration, signing key, database, request, then the app.
/// Anything missing is a clear 503 page, never a crash or an empty database.
public enum BookingCGI {
    /// One CGI request: the body is read from stdin.
    public static func run(environment: [String: String]) -> CGIResponse {
        run(environment: environment, runtime: BookingRuntime()) { limit in
            CGIRequest.readStandardInput(upTo: limit)
        }
    }

    /// One request, in a CGI process or a FastCGI one.
    /// - Parameter readBody: reads the body's bytes, given how many are announced (at most
    ///   the cap; a larger body is refused before a byte is read).
    public static func run(environment: [String: String], runtime: BookingRuntime, readBody: (Int) -> [UInt8]) -> CGIResponse {
        let fallback = SiteConfig()
        let config: SiteConfig
        let configPath = environment["MENTORSITE_CONFIG"] ?? SiteConfig.fileName
        do {
            config = try runtime.config(at: configPath)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return BookingPages(config: fallback).error(BookingError(.unavailable, "Booking is not configured on this server yet.", retryAfter: 3600),
                                                        request: placeholderRequest)
        }
        let pages = BookingPages(config: config, cache: runtime.templates)
        let request: CGIRequest
        do {
            var body: [UInt8] = []
            if environment["REQUEST_METHOD"] == "POST", let length = try CGIRequest.contentLength(environment["CONTENT_LENGTH"], maximum: CGIRequest.defaultMaximumBody),
               length > 0 {
                body = readBody(length)
            }
            request = try CGIRequest(environment: environment, body: body)
        } catch {
            return pages.error(error, request: placeholderRequest)
        }
        do {
            let key = try runtime.key(at: config.secretKey)
            let database = try runtime.database(at: config.database)
            // The configuration is read per request; so are the endpoints changes queue for.
            database.webhookEndpoints = config.webhookURLs
            let app = BookingApp(config: config, key: key, database: database, now: try Clock.now(environment: environment), pages: pages)
            return app.respond(to: request)
        } catch let error as BookingError {
            return pages.error(error, request: request)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            runtime.dropDatabase(at: config.database)
            let busy: Bool
            if case StoreError.sqlite(let sqlite) = error { busy = sqlite.isBusy } else { busy = false }
            return pages.error(BookingError(.unavailable, busy ? "Booking is very busy right now. Please try again in a moment."
                                            : "Booking is unavailable right now. Please try again later.", retryAfter: busy ? 5 : 300), request: request)
        }
    }

    static let placeholderRequest = try! CGIRequest(environment: ["REQUEST_METHOD": "GET"], body: [])
}
