// swift-tools-version: 6.0
import PackageDescription

// The arrows of the architecture (ARCHITECTURE.md), enforced by the compiler:
//
//   MentorCore ── MentorStore ──┬── SiteGenerator ──┐
//        TemplateEngine ────────┤                   ├── MentorCLI ── mentorsite
//        CommonMark ────────────┼── Booking ────────┤
//                               └── Sendmail ───────┘   (mail, SMS and webhooks out)
//                                   Booking ─────────── mentorsite-cgi
//
// MentorCore, MentorStore, TemplateEngine and Booking use FoundationEssentials only (no ICU,
// no CoreFoundation), so the booking CGI starts without them; full YAML (Yams), ICU
// transliteration and running sendmail (Foundation's Process) live in SiteGenerator and
// Sendmail, which only `mentorsite` links.
let package = Package(
    name: "mentorsite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mentorsite", targets: ["mentorsite"]),
        .executable(name: "mentorsite-cgi", targets: ["mentorsite-cgi"]),
        // For the fuzz targets in Fuzz/ (a package of their own).
        .library(name: "MentorCore", targets: ["MentorCore"]),
        .library(name: "MentorStore", targets: ["MentorStore"]),
        .library(name: "TemplateEngine", targets: ["TemplateEngine"]),
        .library(name: "Booking", targets: ["Booking"]),
        .library(name: "SiteGenerator", targets: ["SiteGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        // The FastCGI reference library (the persistent mode of mentorsite-cgi).
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        // Domain values, time (zone rules, free slots) and configuration: no SQL, no HTML.
        .target(name: "MentorCore"),
        // The one module that speaks SQL: the database owner, migrations, named operations.
        .target(name: "MentorStore", dependencies: ["MentorCore", "CSQLite"]),
        // The Mustache engine both programs render with, and HTML escaping: no domain knowledge.
        .target(name: "TemplateEngine"),
        // CommonMark through libcmark: bios on pages, and the profile editor's preview.
        .target(name: "CommonMark", dependencies: ["CMark"]),
        // load → render → write, and `serve`.
        .target(name: "SiteGenerator", dependencies: ["MentorCore", "MentorStore", "TemplateEngine", "CommonMark", .product(name: "Yams", package: "Yams")]),
        // The CGI adapter, the wizard, its pages and mails, payments.
        .target(name: "Booking", dependencies: ["MentorCore", "MentorStore", "TemplateEngine", "CommonMark", .product(name: "Crypto", package: "swift-crypto")]),
        // Delivers the outbox through a sendmail-compatible command (Foundation's Process).
        .target(name: "Sendmail", dependencies: ["MentorStore", "MentorCore", .product(name: "Crypto", package: "swift-crypto")]),
        // The bodies of `mentorsite`'s commands: locating the configuration, applying flags,
        // the watch loop, the reports.
        .target(name: "MentorCLI", dependencies: ["MentorCore", "MentorStore", "SiteGenerator", "Booking", "Sendmail", "TemplateEngine"]),
        .executableTarget(name: "mentorsite", dependencies: ["MentorCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "mentorsite-cgi", dependencies: ["Booking", "MentorCore", "CFastCGI"]),

        // Helpers every test target shares (deterministic random inputs, readable instants).
        .target(name: "TestSupport", dependencies: ["MentorCore"], path: "Tests/TestSupport"),
        // The reference the flat YAML reader is tested against.
        .testTarget(name: "MentorCoreTests", dependencies: ["MentorCore", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "MentorStoreTests", dependencies: ["MentorStore", "MentorCore", "TestSupport"]),
        // The library the engine replaced, and is held to.
        .testTarget(name: "TemplateEngineTests", dependencies: ["TemplateEngine", "TestSupport", .product(name: "Mustache", package: "swift-mustache")]),
        // Yams too: `@testable import SiteGenerator` needs its C module.
        .testTarget(name: "SiteGeneratorTests", dependencies: ["SiteGenerator", "MentorStore", "MentorCore", "TemplateEngine", "CommonMark", "TestSupport", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "BookingTests", dependencies: ["Booking", "MentorStore", "MentorCore", "TemplateEngine", "TestSupport"]),
        .testTarget(name: "SendmailTests", dependencies: ["Sendmail", "MentorStore", "MentorCore"]),
        .testTarget(name: "MentorCLITests", dependencies: ["MentorCLI", "SiteGenerator", "MentorStore", "MentorCore"]),
    ],
    swiftLanguageModes: [.v6]
)
