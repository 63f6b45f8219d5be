import Booking

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormData(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: count)
    if let form = try? FormData(urlEncoded: bytes) {
        // Accepted values are valid UTF-8 without control characters other than line breaks.
        for name in ["mentor", "email", "notes", "start", "tz"] {
            if let value = form[name] {
                precondition(!value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" })
            }
        }
    }
    return 0
}
