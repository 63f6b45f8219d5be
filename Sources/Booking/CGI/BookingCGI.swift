import FoundationEssentials
import MentorCore
import MentorStore

/// Sets up one CGI request: configuration, signing key, database, request, then the app.
/// Anything missing is a clear 503 page, never a crash or an empty database.
public enum BookingCGI {
    public static func run(environment: [String: String]) -> CGIResponse {
        let fallback = SiteConfig()
        let config: SiteConfig
        do {
            config = try SiteConfig.load(path: environment["MENTORSITE_CONFIG"] ?? SiteConfig.fileName)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return BookingPages(config: fallback).error(BookingError(.unavailable, "Booking is not configured on this server yet.", retryAfter: 3600),
                                                        request: placeholderRequest)
        }
        let pages = BookingPages(config: config)
        let request: CGIRequest
        do {
            request = try CGIRequest.current(environment: environment)
        } catch {
            return pages.error(error, request: placeholderRequest)
        }
        do {
            let key = try SecretKey.loadOrCreate(at: config.secretKey)
            let database = try MentorDatabase(path: config.database, create: false, synchronousFull: true)
            let app = BookingApp(config: config, key: key, database: database, now: try Clock.now(environment: environment), pages: pages)
            return app.respond(to: request)
        } catch let error as BookingError {
            return pages.error(error, request: request)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            let busy: Bool
            if case StoreError.sqlite(let sqlite) = error { busy = sqlite.isBusy } else { busy = false }
            return pages.error(BookingError(.unavailable, busy ? "Booking is very busy right now. Please try again in a moment."
                                            : "Booking is unavailable right now. Please try again later.", retryAfter: busy ? 5 : 300), request: request)
        }
    }

    static let placeholderRequest = try! CGIRequest(environment: ["REQUEST_METHOD": "GET"], body: [])
}
