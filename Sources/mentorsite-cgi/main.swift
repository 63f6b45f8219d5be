import Booking
#if canImport(Glibc)
import Glibc
#endif
import MentorCore

// The booking CGI (RFC 3875): one request per process. The response goes to stdout;
// diagnostics to stderr only. Configuration comes from MENTORSITE_CONFIG.
let response = BookingCGI.run(environment: Files.environment())
let bytes = response.serialized
bytes.withUnsafeBytes { buffer in
    var offset = 0
    while offset < buffer.count {
        let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
        if written <= 0 { break }
        offset += written
    }
}
