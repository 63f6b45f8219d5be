import FoundationEssentials

/// `mentorsite.yml`: the site's settings. Relative paths are resolved against the folder
/// holding the file, so every command works from anywhere with no flags.
public struct SiteConfig: Equatable, Sendable {
    public var siteName = "Mood Mentors"
    public var tagline = "Find a mentor who listens. Book a session in minutes."
    /// Absolute URL of the site root without a trailing slash, e.g. `https://example.org`.
    public var baseURL = "http://127.0.0.1:8080"
    /// BCP 47 language of the pages (`<html lang>`).
    public var language = "en"
    public var defaultCurrency = "USD"
    public var databasePath = "site.sqlite"
    public var contentPath = "content"
    public var templatesPath = "templates"
    public var outputPath = "public"
    /// URL path where the booking CGI is mounted.
    public var bookingURL = "/cgi-bin/book"
    /// The signing key for booking tokens; outside the web root, mode 0600.
    public var secretKeyPath = ".mentorsite/secret.key"
    /// Where patients write when the site cannot do something online (a session inside the
    /// cancellation window); empty: they reply to their booking email.
    public var contactEmail = ""
    /// The test payment provider's ledger: one JSON line per authorisation, decline and void.
    public var testPaymentLedgerPath = ".mentorsite/test-payments.log"
    /// Where a session without the mentor's own room (`meeting_url`) meets: `{room}` becomes a
    /// random, unguessable name made for that session.
    public var meetingURLPattern = "https://meet.jit.si/{room}"
    /// Reminders before each session, in minutes (from `reminder_hours`), largest first.
    public var reminderMinutes = [24 * 60, 60]
    /// Delivery attempts of one message before `mentorsite mail` gives up on it (it stays
    /// in the outbox, reported).
    public var mailMaxAttempts = 10
    /// A command that sends one SMS: run as `COMMAND <phone number>` with the text on its
    /// standard input (no shell). Empty: no SMS, and the details step does not offer them.
    public var smsCommand = ""
    /// Whether `build` writes the directory's search index (`search: off` leaves it out, and
    /// the directory has no search box).
    public var search = true
    /// Patients' details are erased this many days after their last session ends (by
    /// `mentorsite mail`); nil keeps them until erased on request.
    public var patientRetentionDays: Int?
    /// Webhook endpoints (`webhook_url`: one or more http(s) URLs, separated by spaces or
    /// commas); every booking change and profile edit is queued for each.
    public var webhookURLs: [String] = []
    /// The file holding the Standard Webhooks signing secret (`whsec_` and base64).
    public var webhookSecretPath = ".mentorsite/webhook.secret"
    /// A delivery still failing this long after its event is given up.
    public var webhookGiveUpHours = 72
    /// How long one delivery attempt may take.
    public var webhookTimeoutSeconds = 10
    /// Folder of the configuration file; relative paths start here.
    public var root = "."

    public static let fileName = "mentorsite.yml"
    /// Every key the file may hold (an array: the CGI reads the file on every request, and
    /// building a `Set` cost more than looking through a dozen names).
    static let keys = [
        "site_name", "tagline", "base_url", "language", "default_currency", "database", "content",
        "templates", "output", "booking_url", "secret_key_file", "booking_interval_minutes", "contact_email", "test_payment_ledger",
        "meeting_url_pattern", "reminder_hours", "mail_max_attempts", "sms_command", "search",
        "patient_retention_days", "webhook_url", "webhook_secret_file", "webhook_give_up_hours", "webhook_timeout_seconds",
    ] + BookingPolicy.keys.map(\.key)

    /// The booking rules a site owner may change (`booking_*` keys).
    public var booking = BookingPolicy()

    public init() {}

    /// Reads `path`, or returns the defaults rooted at `.` when `path` is nil and there is
    /// no `mentorsite.yml` in the current folder.
    public static func load(path: String?) throws -> SiteConfig {
        let file = path ?? fileName
        guard Files.exists(file) else {
            if path != nil { throw Diagnostics([Diagnostic(file: file, message: "no such configuration file")]) }
            return SiteConfig()
        }
        guard let text = Files.readText(file) else {
            throw Diagnostics([Diagnostic(file: file, message: "cannot read the file as UTF-8 text")])
        }
        var config = try parse(text, file: file)
        let folder = Files.folder(of: file)
        config.root = folder.isEmpty ? "." : folder
        return config
    }

    /// Parses the text of a configuration file, reporting every problem at once.
    public static func parse(_ text: String, file: String) throws -> SiteConfig {
        var reader = YAMLReader(file: file, text: text)
        if reader.isUnreadable { throw Diagnostics(reader.diagnostics) }
        reader.rejectUnknownKeys(keys)
        var config = SiteConfig()
        if let value = reader.string("site_name") { config.siteName = value }
        if let value = reader.string("tagline") { config.tagline = value }
        if let value = reader.string("base_url") {
            if let url = baseURL(value) {
                config.baseURL = url
            } else {
                reader.report(reader.line(of: "base_url"), "base_url", "\"\(value)\" is not an absolute http(s) URL")
            }
        }
        if let value = reader.string("language") {
            if isLanguageTag(value) {
                config.language = value
            } else {
                reader.report(reader.line(of: "language"), "language", "\"\(value)\" is not a language tag such as en or pt-BR")
            }
        }
        if let value = reader.string("default_currency") {
            if Money.isCurrencyCode(value) { config.defaultCurrency = value } else {
                reader.report(reader.line(of: "default_currency"), "default_currency", "\"\(value)\" is not an ISO 4217 code such as USD")
            }
        }
        if let value = reader.string("database") { config.databasePath = value }
        if let value = reader.string("content") { config.contentPath = value }
        if let value = reader.string("templates") { config.templatesPath = value }
        if let value = reader.string("output") { config.outputPath = value }
        if let value = reader.string("booking_url") {
            if value.hasPrefix("/") || value.hasPrefix("https://") || value.hasPrefix("http://"), !value.contains("?"), !value.contains("#") {
                config.bookingURL = value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
            } else {
                reader.report(reader.line(of: "booking_url"), "booking_url", "\"\(value)\" must be a path starting with / or an absolute URL, without ? or #")
            }
        }
        if let value = reader.string("secret_key_file") { config.secretKeyPath = value }
        if let value = reader.string("test_payment_ledger") { config.testPaymentLedgerPath = value }
        if let value = reader.string("contact_email") {
            if EmailAddress.isValid(value.lowercased()) { config.contactEmail = value.lowercased() } else {
                reader.report(reader.line(of: "contact_email"), "contact_email", "\"\(value)\" is not one email address such as help@example.org")
            }
        }
        for (key, minimum, maximum, set) in BookingPolicy.keys {
            if let value = reader.integer(key, in: minimum...maximum) { set(&config.booking, value) }
        }
        if let interval = reader.integer("booking_interval_minutes", in: 5...480) { config.booking.intervalMinutes = interval }
        if let value = reader.string("meeting_url_pattern") {
            if value.hasPrefix("https://"), Self.roomPlaceholders(in: value) == 1, PlainText.problem(value) == nil, !value.contains(" "), !value.contains("\"") {
                config.meetingURLPattern = value
            } else {
                reader.report(reader.line(of: "meeting_url_pattern"), "meeting_url_pattern", "\"\(value)\" must be an https URL with {room} once, such as https://meet.jit.si/{room}")
            }
        }
        if let value = reader.string("reminder_hours") {
            if let hours = Self.reminderHours(value) {
                config.reminderMinutes = hours.map { $0 * 60 }
            } else {
                reader.report(reader.line(of: "reminder_hours"), "reminder_hours", "\"\(value)\" must be whole hours between 1 and 720 separated by commas, such as 24, 1 (or none)")
            }
        }
        if let attempts = reader.integer("mail_max_attempts", in: 1...100) { config.mailMaxAttempts = attempts }
        if let value = reader.string("sms_command") { config.smsCommand = value }
        if let days = reader.integer("patient_retention_days", in: 1...36_500) { config.patientRetentionDays = days }
        if let value = reader.string("webhook_url") {
            let urls = value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            if let bad = urls.first(where: { !Self.isWebhookURL($0) }) {
                reader.report(reader.line(of: "webhook_url"), "webhook_url", "\"\(bad)\" is not an absolute http(s) URL")
            } else {
                config.webhookURLs = urls
            }
        }
        if let value = reader.string("webhook_secret_file") { config.webhookSecretPath = value }
        if let hours = reader.integer("webhook_give_up_hours", in: 1...720) { config.webhookGiveUpHours = hours }
        if let seconds = reader.integer("webhook_timeout_seconds", in: 1...120) { config.webhookTimeoutSeconds = seconds }
        if let value = reader.string("search") {
            switch value {
            case "on": config.search = true
            case "off": config.search = false
            default: reader.report(reader.line(of: "search"), "search", "\"\(value)\" must be on or off")
            }
        }
        if !reader.diagnostics.isEmpty { throw Diagnostics(reader.diagnostics) }
        return config
    }

    /// How many times `{room}` occurs, by bytes: splitting a String by a String separator
    /// goes through _StringProcessing's generics, whose metadata cost every CGI request
    /// 0.9 M instructions when this was read that way (callgrind).
    public static func roomPlaceholders(in text: String) -> Int {
        let needle = Array("{room}".utf8)
        let bytes = Array(text.utf8)
        var count = 0
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index..<index + needle.count].elementsEqual(needle) {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }

    /// `24, 1` as [24, 1] (distinct, largest first); `none` as []; nil when malformed.
    static func reminderHours(_ value: String) -> [Int]? {
        if value == "none" { return [] }
        var hours: [Int] = []
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let number = Int(plainDigits: WebText.trimmed(part), maxDigits: 3), (1...720).contains(number), !hours.contains(number) else { return nil }
            hours.append(number)
        }
        return hours.sorted(by: >)
    }

    /// `value` as a site's base URL (an absolute http(s) URL without query, no trailing
    /// slash), or nil: the rule for `base_url` and for `--base-url`.
    /// An absolute http(s) URL with a host, without a fragment, spaces or control characters.
    static func isWebhookURL(_ value: String) -> Bool {
        guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host?.isEmpty == false else { return false }
        return url.fragment == nil && PlainText.problem(value) == nil && !value.contains(" ") && !value.contains("\"")
    }

    public static func baseURL(_ value: String) -> String? {
        let trimmed = value.hasSuffix("/") ? String(value.dropLast()) : value
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil, url.query == nil,
              url.fragment == nil, PlainText.problem(trimmed) == nil, !trimmed.contains(" ")
        else { return nil }
        return trimmed
    }

    /// `en`, `pt-BR`, `zh-Hant-TW`: a primary language of 2–3 lowercase letters, then
    /// subtags of 2–8 letters or digits. (No regex: the CGI reads this on every request.)
    static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        return parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    /// The Open Graph locale, `language_TERRITORY` (`en_US`, `pt_BR`): the region of
    /// `language` when it names one, else the territory where the language is most used.
    public var ogLocale: String {
        let parts = language.split(separator: "-")
        let primary = String(parts.first ?? "en")
        if let region = parts.dropFirst().first(where: { $0.utf8.count == 2 && $0.allSatisfy(\.isLetter) }) {
            return primary + "_" + region.uppercased()
        }
        // A switch, not a dictionary literal: the booking CGI asks for this on every request.
        let territory: String
        switch primary {
        case "en": territory = "US"
        case "pt": territory = "BR"
        case "sv": territory = "SE"
        case "da": territory = "DK"
        case "nb", "nn": territory = "NO"
        case "cs": territory = "CZ"
        case "el": territory = "GR"
        case "ja": territory = "JP"
        case "ko": territory = "KR"
        case "zh": territory = "CN"
        case "uk": territory = "UA"
        case "he": territory = "IL"
        case "hi": territory = "IN"
        case "vi": territory = "VN"
        case "sw": territory = "KE"
        case "ar": territory = "AR"
        default: territory = primary.uppercased()
        }
        return primary + "_" + territory
    }

    /// `path` resolved against the configuration's folder.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || root == "." { return path }
        return root + "/" + path
    }

    public var database: String { resolve(databasePath) }
    public var content: String { resolve(contentPath) }
    public var templates: String { resolve(templatesPath) }
    public var output: String { resolve(outputPath) }
    public var secretKey: String { resolve(secretKeyPath) }
    public var testPaymentLedger: String { resolve(testPaymentLedgerPath) }
    public var webhookSecretFile: String { resolve(webhookSecretPath) }
    /// The generator's own files between builds (a cache and a lock), beside the secret key.
    public var generatorState: String { resolve(".mentorsite") }
}

/// How booking behaves; every value has the default the product promises.
public struct BookingPolicy: Equatable, Sendable {
    /// No slot starts sooner than this after now.
    public var noticeHours = 12
    /// No slot starts more than this many days ahead.
    public var horizonDays = 60
    /// Minutes between slot starts; nil steps by the mentor's session length.
    public var intervalMinutes: Int?
    /// How long a slot is held while a new patient confirms by email.
    public var holdMinutes = 30
    /// Patients cancel or move online until this many hours before the start.
    public var cancellationHours = 24
    /// Booking attempts (payment submits) per hour from one address, and for one email.
    public var attemptsPerAddress = 30
    public var attemptsPerEmail = 6
    /// What a session cancelled inside the cancellation window costs the patient, in percent
    /// of its price (the rest is refunded). Outside the window, and whenever the mentor or
    /// the operator cancels, everything is refunded.
    public var lateCancellationFeePercent = 100

    public init() {}

    /// The whole-number keys, their allowed ranges and how each sets its field: two numbers
    /// and a closure, not a `ClosedRange` and a key path, whose metadata a CGI request would
    /// instantiate at run time (measured).
    static let keys: [(key: String, minimum: Int, maximum: Int, set: @Sendable (inout BookingPolicy, Int) -> Void)] = [
        ("booking_notice_hours", 0, 720, { $0.noticeHours = $1 }),
        ("booking_horizon_days", 1, 366, { $0.horizonDays = $1 }),
        ("booking_hold_minutes", 5, 1440, { $0.holdMinutes = $1 }),
        ("booking_cancellation_hours", 0, 720, { $0.cancellationHours = $1 }),
        ("booking_attempts_per_address", 1, 100_000, { $0.attemptsPerAddress = $1 }),
        ("booking_attempts_per_email", 1, 10_000, { $0.attemptsPerEmail = $1 }),
        ("booking_late_cancellation_fee_percent", 0, 100, { $0.lateCancellationFeePercent = $1 }),
    ]

    public var rules: BookingRules {
        BookingRules(minimumNotice: noticeHours * 3600, horizonDays: horizonDays, stepMinutes: intervalMinutes)
    }
}
