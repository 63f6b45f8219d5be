import Booking
import CFastCGI
import MentorCore
#if canImport(Glibc)
import Glibc
#endif

// The booking CGI (RFC 3875), and the same executable as a FastCGI responder when the web
// server starts it on a listening socket (stdin is that socket, as libfcgi's FCGX_IsCGI
// tells). Responses go to stdout or the FastCGI stream; diagnostics to stderr only.
// Configuration comes from MENTORSITE_CONFIG.
if FCGX_IsCGI() != 0 {
    // One request per process.
    let response = BookingCGI.run(environment: Files.environment())
    Files.writeAll(1, response.serialized)
} else {
    FastCGIResponder.serve()
}

/// The persistent mode: one request after another on this process, with the runtime's
/// caches (configuration, key, open database, parsed templates) kept between them and
/// everything of a request dropped after it.
enum FastCGIResponder {
    /// Variables the process's own environment may give every request (lighttpd's
    /// `bin-environment`, systemd's `Environment=`); a request's parameters override them.
    static let inherited = ["MENTORSITE_CONFIG", "MENTORSITE_TEST_NOW", "TZDIR"]

    static func serve() -> Never {
        // A web server that closes the connection mid-answer must not end the process.
        signal(SIGPIPE, SIG_IGN)
        let base = Files.environment().filter { inherited.contains($0.key) }
        let runtime = BookingRuntime()
        guard FCGX_Init() == 0 else {
            Files.writeStandardError("mentorsite-cgi: cannot start FastCGI\n")
            exit(1)
        }
        var request = FCGX_Request()
        FCGX_InitRequest(&request, 0, 0)
        while FCGX_Accept_r(&request) >= 0 {
            // A client (or server) that stops sending or reading cannot hold this process:
            // reads and writes on the connection give up after the CGI's own deadline.
            var deadline = timeval(tv_sec: CGIRequest.readDeadlineMilliseconds / 1000, tv_usec: 0)
            setsockopt(request.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(request.ipcFd, SOL_SOCKET, SO_SNDTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
            var environment = base
            if let parameters = request.envp {
                for (name, value) in Files.environment(parameters) { environment[name] = value }
            }
            let input = request.in
            let errors = request.err
            Files.errorSink = { bytes in
                _ = bytes.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { FCGX_PutStr($0, Int32(buffer.count), errors) }
                }
            }
            let response = BookingCGI.run(environment: environment, runtime: runtime) { length in
                var body = [UInt8](repeating: 0, count: length)
                let count = body.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: length) { FCGX_GetStr($0, Int32(length), input) }
                }
                return Array(body.prefix(Int(max(0, count))))
            }
            Files.errorSink = nil
            let bytes = response.serialized
            _ = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { FCGX_PutStr($0, Int32(buffer.count), request.out) }
            }
            // Unread body bytes are drained by the library, never seen by the next request.
            FCGX_Finish_r(&request)
        }
        exit(0)
    }
}
