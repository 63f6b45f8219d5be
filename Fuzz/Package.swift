// swift-tools-version:6.0
// libFuzzer targets for the parsers that read untrusted bytes. Not part of the main
// package: they only link with -sanitize=fuzzer. Run them with `make fuzz`.
import PackageDescription

let package = Package(
    name: "mentorsite-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "mentorsite", path: "..")],
    targets: [
        .executableTarget(name: "FuzzCGIRequest", dependencies: [.product(name: "Booking", package: "mentorsite")]),
        .executableTarget(name: "FuzzFormData", dependencies: [.product(name: "Booking", package: "mentorsite")]),
        .executableTarget(name: "FuzzSignedToken", dependencies: [.product(name: "Booking", package: "mentorsite")]),
        .executableTarget(name: "FuzzFrontMatter", dependencies: [.product(name: "SiteGenerator", package: "mentorsite")]),
        .executableTarget(name: "FuzzTemplate", dependencies: [.product(name: "TemplateEngine", package: "mentorsite")]),
    ]
)
