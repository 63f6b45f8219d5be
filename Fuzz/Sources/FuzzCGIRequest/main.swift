import Booking

/// Input: five lines (method, content type, content length, path info, query), then the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCGIRequest(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    var lines: [String] = []
    var rest = bytes[...]
    for _ in 0..<5 {
        guard let end = rest.firstIndex(of: 0x0A) else { break }
        lines.append(String(decoding: rest[rest.startIndex..<end], as: UTF8.self))
        rest = rest[(end + 1)...]
    }
    var environment: [String: String] = [:]
    for (name, value) in zip(["REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "PATH_INFO", "QUERY_STRING"], lines) where !value.isEmpty {
        environment[name] = value
    }
    if let request = try? CGIRequest(environment: environment, body: Array(rest), maximumBody: 4096) {
        // Whatever was accepted must hold the parser's promises.
        precondition(request.pathInfo.isEmpty || request.pathInfo.hasPrefix("/"))
        let segments = request.pathInfo.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        precondition(!segments.contains { $0.isEmpty || $0 == "." || $0 == ".." }, "accepted PATH_INFO \(request.pathInfo)")
        _ = request.form["csrf"]
        _ = request.cookies["bk_session"]
    }
    return 0
}
