import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

/// Settings of the booking flow, from `mentorsite.yml`'s `booking_*` keys.
public struct BookingSettings: Sendable {
    public var rules = BookingRules()
    public var holdSeconds = 30 * 60
    public var cancellationWindow = 24 * 3600
    public var daysShown = 14
    /// Booking attempts (payment submits) per hour from one address and for one email.
    public var attemptsPerAddress = 30
    public var attemptsPerEmail = 6

    public init(policy: BookingPolicy = BookingPolicy()) {
        rules = policy.rules
        holdSeconds = policy.holdMinutes * 60
        cancellationWindow = policy.cancellationHours * 3600
        attemptsPerAddress = policy.attemptsPerAddress
        attemptsPerEmail = policy.attemptsPerEmail
    }
}

/// The booking wizard behind the CGI: one request in, one response out. Every step is a
/// form: GET shows it, POST validates and answers 303 to the next step. Choices that are
/// not personal (mentor, specialty, type, slot, zone) travel in the query string; the
/// patient's details wait in a draft row keyed by a random cookie.
public final class BookingApp {
    let config: SiteConfig
    let settings: BookingSettings
    let key: SecretKey
    let database: MentorDatabase
    let pages: BookingPages
    let payment: any PaymentProvider
    let now: Int
    var mails: BookingMails { BookingMails(pages: pages, key: key, now: now) }

    public convenience init(config: SiteConfig, settings: BookingSettings? = nil, key: SecretKey, database: MentorDatabase,
                payment: (any PaymentProvider)? = nil, now: Int) {
        self.init(config: config, settings: settings, key: key, database: database, payment: payment, now: now, pages: BookingPages(config: config))
    }

    /// With the pages the CGI already made for its error pages (they read and fingerprint
    /// the site's assets).
    init(config: SiteConfig, settings: BookingSettings? = nil, key: SecretKey, database: MentorDatabase,
         payment: (any PaymentProvider)? = nil, now: Int, pages: BookingPages) {
        self.config = config
        self.settings = settings ?? BookingSettings(policy: config.booking)
        self.key = key
        self.database = database
        self.pages = pages
        self.payment = payment ?? TestPaymentProvider(ledgerPath: config.testPaymentLedger, now: now)
        self.now = now
    }

    /// Answers a request. Errors become pages with their status; nothing is written for them.
    public func respond(to request: CGIRequest) -> CGIResponse {
        do {
            return try route(request)
        } catch let error as BookingError {
            return pages.error(error, request: request)
        } catch let error as StoreError {
            if case .sqlite(let sqlite) = error, sqlite.isBusy {
                return pages.error(BookingError(.unavailable, "Booking is very busy right now. Please try again in a moment.", retryAfter: 5), request: request)
            }
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return pages.error(BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 60), request: request)
        } catch {
            Files.writeStandardError("mentorsite-cgi: \(error)\n")
            return pages.error(BookingError(.unavailable, "Booking is unavailable right now. Please try again later.", retryAfter: 60), request: request)
        }
    }

    /// The mentor of an appointment (active or not: a session outlives its listing).
    func mentor(of appointment: Appointment) throws -> Mentor {
        guard let mentor = try database.mentors(ids: [appointment.mentorID]).first else {
            throw BookingError(.notFound, "We could not find that booking.")
        }
        return mentor
    }

    /// The page for a path: GET (and HEAD) show, POST acts; anything else is 405.
    func route(_ request: CGIRequest) throws -> CGIResponse {
        let read = request.method != .post
        func only(_ show: (CGIRequest) throws -> CGIResponse) throws -> CGIResponse {
            guard read else { throw BookingError(.methodNotAllowed, "This page does not accept \(request.method.rawValue).") }
            return try show(request)
        }
        switch request.pathInfo {
        // The wizard.
        case "": return try read ? showSpecialty(request) : chooseSpecialty(request)
        case "/type": return try read ? showType(request) : chooseType(request)
        case "/time": return try read ? showTime(request) : chooseTime(request)
        case "/details": return try read ? showDetails(request) : submitDetails(request)
        case "/payment": return try read ? showPayment(request) : pay(request)
        case "/done": return try only(showDone)
        case "/confirm": return try read ? showConfirm(request) : confirm(request)
        case "/slots": return try only(slotsJSON)
        // A booked session.
        case "/manage": return try read ? showManage(request) : cancel(request)
        case "/reschedule": return try read ? showReschedule(request) : reschedule(request)
        case "/calendar.ics": return try only(calendar)
        // People who sign in.
        case "/sign-in": return try read ? showSignIn(request) : signIn(request)
        case "/sign-out": return try read ? redirect("/sign-in") : signOut(request)
        case "/sessions": return try only(showSessions)
        case "/dashboard": return try read ? showDashboard(request) : dashboardAction(request)
        case "/dashboard/profile": return try read ? showProfileEditor(request) : saveProfile(request)
        case "/dashboard/hours": return try read ? showHours(request) : saveHours(request)
        case "/dashboard/calendar.ics": return try only(calendarFeed)
        case let path where path == "/api" || path.hasPrefix("/api/"): return try api(request)
        default:
            throw BookingError(.notFound, "There is no such booking page.")
        }
    }
}
