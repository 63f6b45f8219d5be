import Booking
import MentorCore

// The booking CGI (RFC 3875): one request per process. The response goes to stdout;
// diagnostics to stderr only. Configuration comes from MENTORSITE_CONFIG.
let response = BookingCGI.run(environment: Files.environment())
Files.writeAll(1, response.serialized)
