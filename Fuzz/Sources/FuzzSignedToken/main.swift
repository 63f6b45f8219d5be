import Booking

// Static members, not top-level globals: libFuzzer's main never runs this file's top level.
enum Fixture {
    static let key = SecretKey(bytes: Array(repeating: 7, count: 32))
    static let genuine = SignedToken.sign(purpose: "confirm", subject: "appointment-1", expires: 2_000_000_000, key: key)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignedToken(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    if let claims = try? SignedToken.verify(text, purpose: "confirm", now: 1_800_000_000, key: Fixture.key) {
        // Only a token this key signed verifies: anything else accepted is a forgery.
        precondition(text == Fixture.genuine, "forged token accepted: \(text)")
        precondition(claims.subject == "appointment-1")
    }
    return 0
}
