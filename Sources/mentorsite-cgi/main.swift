// Placeholder until the booking issue lands: answers every request with a clear 503 page
// (RFC 3875: the `Status:` header, then a blank line, then the body), so that profile
// pages' "Book a session" links never lead to a broken server.
print("Status: 503 Service Unavailable\r")
print("Content-Type: text/html; charset=utf-8\r")
print("Retry-After: 86400\r")
print("Cache-Control: no-store\r")
print("\r")
print("""
    <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
    <title>Booking is not available yet</title></head><body><h1>Booking is not available yet</h1>
    <p>Online booking is being built (placeholder: mentorsite-cgi). Please check back soon.</p></body></html>
    """)
