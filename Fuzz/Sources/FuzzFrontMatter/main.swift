import MentorCore
import SiteGenerator

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    switch MentorSource.parse(text, file: "fuzz.md", defaultCurrency: "USD") {
    case .success(let profile):
        precondition(!profile.name.isEmpty)
        if let zone = profile.timezone { precondition(TimeZones.isIANAName(zone)) }
    case .failure(let diagnostics):
        precondition(!diagnostics.items.isEmpty)
    }
    return 0
}
