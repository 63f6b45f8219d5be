import Testing
@testable import MentorCore

@Suite struct SiteConfigTests {
    @Test func readsSettingsAndKeepsDefaults() throws {
        let config = try SiteConfig.parse("site_name: Calm\nbase_url: https://example.org/sub/\n", file: "m.yml")
        #expect(config.siteName == "Calm")
        #expect(config.baseURL == "https://example.org/sub")
        #expect(config.bookingURL == "/cgi-bin/book")
        #expect(config.databasePath == "site.sqlite")
    }

    @Test func reportsEveryProblemWithItsLine() {
        let text = "site_name: Calm\nbase_ur: x\nbase_url: ftp://x\ndefault_currency: usd\n"
        #expect(throws: Diagnostics([
            Diagnostic(file: "m.yml", line: 2, field: "base_ur", message: "unknown key (did you mean \"base_url\"?)"),
            Diagnostic(file: "m.yml", line: 3, field: "base_url", message: "\"ftp://x\" is not an absolute http(s) URL"),
            Diagnostic(file: "m.yml", line: 4, field: "default_currency", message: "\"usd\" is not an ISO 4217 code such as USD"),
        ])) {
            try SiteConfig.parse(text, file: "m.yml")
        }
    }

    @Test func readsTheBookingPolicyWithinItsRanges() throws {
        let config = try SiteConfig.parse("booking_notice_hours: 2\nbooking_interval_minutes: 30\nbooking_hold_minutes: 15\n", file: "m.yml")
        #expect(config.booking.rules == BookingRules(minimumNotice: 7200, horizonDays: 60, stepMinutes: 30))
        #expect(config.booking.holdMinutes == 15 && config.booking.cancellationHours == 24)
        #expect(throws: Diagnostics.self) { try SiteConfig.parse("booking_horizon_days: 0\n", file: "m.yml") }
        #expect(throws: Diagnostics.self) { try SiteConfig.parse("booking_interval_minutes: \"+10\"\n", file: "m.yml") }
    }

    @Test func reportsYAMLSyntaxErrors() {
        #expect(throws: Diagnostics.self) { try SiteConfig.parse("site_name: [unclosed\n", file: "m.yml") }
    }

    /// The booking CGI reads the configuration on every request without a YAML library:
    /// one `key: value` per line, plain or quoted, and anything else is named by its line.
    @Test func readsFlatYAMLOnlyAndSaysWhereItStops() throws {
        let config = try SiteConfig.parse("---\nsite_name: \"Calm: a \\\"corner\\\"\" # quoted\ntagline: 'It''s fine'\n", file: "m.yml")
        #expect(config.siteName == "Calm: a \"corner\"" && config.tagline == "It's fine")
        #expect(throws: Diagnostics([Diagnostic(file: "m.yml", line: 4, message: FlatYAML.notFlat)])) {
            try SiteConfig.parse("site_name: Calm\n\ntagline:\n  - a list\n", file: "m.yml")
        }
        #expect(throws: Diagnostics([Diagnostic(file: "m.yml", line: 2, message: "duplicate key \"site_name\"")])) {
            try SiteConfig.parse("site_name: Calm\nsite_name: Quiet\n", file: "m.yml")
        }
    }

    @Test func resolvesPathsAgainstTheConfigFolder() {
        var config = SiteConfig()
        config.root = "/srv/site"
        #expect(config.database == "/srv/site/site.sqlite")
        #expect(config.resolve("/abs/x") == "/abs/x")
    }
}
