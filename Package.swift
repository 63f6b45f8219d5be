// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mentorsite",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mentorsite", targets: ["mentorsite"]),
        .executable(name: "mentorsite-cgi", targets: ["mentorsite-cgi"]),
        // For the fuzz targets in Fuzz/ (a package of their own).
        .library(name: "MentorCore", targets: ["MentorCore"]),
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
        // MentorCore and Booking use FoundationEssentials only (no ICU, no CoreFoundation),
        // so the booking CGI starts without them; full YAML (Yams), ICU transliteration and
        // running sendmail (Foundation's Process) live in SiteGenerator and BookingMail.
        .target(name: "MentorCore", dependencies: ["CSQLite"]),
        // The Mustache engine both programs render with, and HTML escaping: no domain knowledge.
        .target(name: "TemplateEngine"),
        .target(
            name: "SiteGenerator",
            dependencies: [
                "MentorCore", "TemplateEngine", "CMark",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "mentorsite",
            dependencies: [
                "MentorCore", "SiteGenerator", "Booking", "BookingMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "Booking",
            dependencies: [
                "MentorCore", "TemplateEngine",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "BookingMail", dependencies: ["Booking", "MentorCore"]),
        .executableTarget(name: "mentorsite-cgi", dependencies: ["Booking", "MentorCore"]),
        // Helpers every test target shares (deterministic random inputs).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "MentorCoreTests",
            dependencies: [
                "MentorCore", "TestSupport",
                // Slug.make and full YAML, for the import side of the database tests.
                "SiteGenerator",
                // The reference the flat YAML reader is tested against.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "TemplateEngineTests",
            dependencies: [
                "TemplateEngine", "TestSupport",
                // The library the engine replaced, and is held to.
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .testTarget(name: "BookingTests", dependencies: ["Booking", "BookingMail", "MentorCore"]),
        .testTarget(
            name: "SiteGeneratorTests",
            dependencies: ["SiteGenerator", "MentorCore"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
