import Foundation
import Testing
@testable import Booking
import MentorCore
@testable import MentorStore

/// The repository's own templates, which the wizard renders.
let repositoryTemplates: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path + "/templates"
}()

/// A booking site in a temporary folder: configuration, signing key, a database with one
/// mentor, and the repository's templates. Requests go straight to `BookingApp.respond`,
/// at a fixed clock, without a web server.
final class WizardSite {
    let folder: String
    var config: SiteConfig
    let database: MentorDatabase
    let key = SecretKey(bytes: Array(repeating: 7, count: 32))
    var now: Int
    var payment: (any PaymentProvider)?

    /// Berlin, Monday to Friday 09:00–17:00, 50-minute sessions at 95 EUR an hour.
    static func berlinMentor(name: String = "Ana Weber", email: String? = "ana@mentors.example") -> MentorProfile {
        var profile = MentorProfile(name: name, title: "Counsellor", specialty: "Anxiety", email: email, bio: "I listen.",
                                    specialties: ["Anxiety", "Life transitions"], languages: ["German", "English"],
                                    hourlyRate: Money(decimal: "95", currency: "EUR"), timezone: "Europe/Berlin")
        profile.availability = [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map {
            AvailabilityWindow(day: $0, start: LocalTime("09:00")!, end: LocalTime("17:00")!)
        }
        return profile
    }

    init(now: Int, mentors: [MentorProfile] = [WizardSite.berlinMentor()], configText: String = "") throws {
        folder = NSTemporaryDirectory() + "wizard-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try (configText + "\ntemplates: \(repositoryTemplates)\ncontact_email: help@example.org\n").write(toFile: folder + "/mentorsite.yml", atomically: true, encoding: .utf8)
        config = try SiteConfig.load(path: folder + "/mentorsite.yml")
        database = try MentorDatabase(path: config.database, create: true)
        _ = try database.sync(mentors.enumerated().map { ("mentors/\($0.offset).md", $0.element) }, now: Timestamp.format(secondsSinceEpoch: now)) { name in
            Slug.make(transliterated: name.lowercased(), original: name)
        }
        self.now = now
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func app() -> BookingApp {
        BookingApp(config: config, key: key, database: database, payment: payment, now: now)
    }

    /// The test provider's ledger, one entry per call.
    func ledger() -> [[String: String]] {
        guard let text = try? String(contentsOfFile: config.testPaymentLedger, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { try! JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
    }

    func count(_ sql: String) throws -> Int {
        try database.connection.scalarInt(sql) ?? 0
    }
}

/// One person's browser: keeps the cookies the wizard sets, follows nothing by itself.
struct WizardBrowser {
    let site: WizardSite
    var cookies: [String: String] = [:]
    var address = "127.0.0.1"

    init(_ site: WizardSite) { self.site = site }

    mutating func send(_ method: String, _ path: String, query: String = "", form: [(String, String)] = [], extra: [String: String] = [:]) -> Page {
        let body = Array(form.map { "\($0.0)=\(WebText.percentEncode($0.1))" }.joined(separator: "&").utf8)
        var environment = ["REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "REMOTE_ADDR": address,
                           "SCRIPT_NAME": "/cgi-bin/book"]
        if !cookies.isEmpty { environment["HTTP_COOKIE"] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        if method == "POST" {
            environment["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environment["CONTENT_LENGTH"] = String(body.count)
        }
        environment.merge(extra) { $1 }
        let response: CGIResponse
        do {
            response = site.app().respond(to: try CGIRequest(environment: environment, body: body))
        } catch {
            Issue.record("request refused before the app: \(error)")
            return Page(status: 0, headers: [], body: "")
        }
        for (name, value) in response.headers where name == "Set-Cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return Page(status: response.status.code, headers: response.headers, body: String(decoding: response.body, as: UTF8.self))
    }

    mutating func get(_ path: String, _ query: String = "") -> Page { send("GET", path, query: query) }
    mutating func post(_ path: String, _ form: [(String, String)]) -> Page { send("POST", path, form: form) }

    /// Follows a 303 as a browser does.
    mutating func follow(_ page: Page) -> Page {
        guard page.status == 303, let location = page.header("Location") else { return page }
        let url = location.replacingOccurrences(of: "/cgi-bin/book", with: "")
        let parts = url.split(separator: "?", maxSplits: 1)
        return get(String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
    }
}

struct Page {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The value of the first `<input name="…" value="…">` (hidden fields, CSRF).
    func field(_ name: String) -> String? {
        guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = body[range.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!]).replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Offered slot starts (Unix seconds), in order.
    var starts: [Int] {
        body.components(separatedBy: "name=\"start\" id=\"slot-").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }
}

/// Walks a new patient from the mentor's page to the payment form.
/// - Returns: the browser and the payment page.
func walkToPayment(_ site: WizardSite, email: String = "pat@example.org", name: String = "Pat Doe", phone: String = "+49 30 1234567",
                   patientZone: String = "Europe/Berlin", start chooseStart: ([Int]) -> Int?) -> (WizardBrowser, Page, Int) {
    var browser = WizardBrowser(site)
    let first = browser.get("", "mentor=ana-weber")
    #expect(first.status == 200, "\(first.body.prefix(300))")
    let csrf = first.field("csrf") ?? ""
    let base = [("csrf", csrf), ("mentor", "ana-weber"), ("tz", patientZone), ("specialty", "Anxiety")]
    let type = browser.follow(browser.post("", base))
    #expect(type.status == 200)
    let time = browser.follow(browser.post("/type", base + [("type", "video")]))
    #expect(time.status == 200, "\(time.body.prefix(300))")
    let start = chooseStart(time.starts) ?? 0
    let details = browser.follow(browser.post("/time", base + [("type", "video"), ("start", String(start))]))
    #expect(details.status == 200, "\(details.body.prefix(300))")
    let payment = browser.follow(browser.post("/details", base + [("type", "video"), ("start", String(start)), ("name", name),
                                                                  ("email", email), ("phone", phone), ("notes", "Sleeping badly.")]))
    #expect(payment.status == 200, "\(payment.body.prefix(300))")
    return (browser, payment, start)
}

func paymentForm(_ page: Page, card: String = "4242 4242 4242 4242") -> [(String, String)] {
    [("csrf", page.field("csrf") ?? ""), ("idempotency", page.field("idempotency") ?? ""), ("card_number", card),
     ("card_expiry", "12/30"), ("card_cvc", "123")]
}

/// Tuesday 2026-12-01 01:05 UTC.
let tuesdayNight = 1_796_087_100
