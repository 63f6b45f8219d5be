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

    @Test func readsJoinLinksRemindersDeliveryAndFeesStrictly() throws {
        let defaults = try SiteConfig.parse("", file: "m.yml")
        #expect(defaults.meetingURLPattern == "https://meet.jit.si/{room}" && defaults.reminderMinutes == [1440, 60])
        #expect(defaults.mailMaxAttempts == 10 && defaults.smsCommand.isEmpty && defaults.booking.lateCancellationFeePercent == 100)
        let config = try SiteConfig.parse("""
            meeting_url_pattern: https://video.example.org/r/{room}?lang=en
            reminder_hours: 1, 48, 6
            mail_max_attempts: 3
            sms_command: /usr/local/bin/send-sms --from Mentors
            booking_late_cancellation_fee_percent: 50
            """, file: "m.yml")
        #expect(config.meetingURLPattern == "https://video.example.org/r/{room}?lang=en")
        #expect(config.reminderMinutes == [2880, 360, 60])
        #expect(config.mailMaxAttempts == 3 && config.smsCommand == "/usr/local/bin/send-sms --from Mentors")
        #expect(config.booking.lateCancellationFeePercent == 50)
        #expect(try SiteConfig.parse("reminder_hours: none\n", file: "m.yml").reminderMinutes == [])
        #expect(throws: Diagnostics([
            Diagnostic(file: "m.yml", line: 1, field: "meeting_url_pattern", message: "\"http://meet.example/{room}\" must be an https URL with {room} once, such as https://meet.jit.si/{room}"),
            Diagnostic(file: "m.yml", line: 2, field: "reminder_hours", message: "\"24, 24\" must be whole hours between 1 and 720 separated by commas, such as 24, 1 (or none)"),
        ])) {
            try SiteConfig.parse("meeting_url_pattern: http://meet.example/{room}\nreminder_hours: 24, 24\n", file: "m.yml")
        }
        for bad in ["https://x.example/", "https://x.example/{room}/{room}", "https://x.example/{roo}"] {
            #expect(throws: Diagnostics.self) { try SiteConfig.parse("meeting_url_pattern: \(bad)\n", file: "m.yml") }
        }
        for bad in ["0", "721", "24,", "+1", "1.5", "a"] {
            #expect(throws: Diagnostics.self, "\(bad)") { try SiteConfig.parse("reminder_hours: \"\(bad)\"\n", file: "m.yml") }
        }
        #expect(throws: Diagnostics.self) { try SiteConfig.parse("booking_late_cancellation_fee_percent: 101\n", file: "m.yml") }
        #expect(throws: Diagnostics.self) { try SiteConfig.parse("mail_max_attempts: 0\n", file: "m.yml") }
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
