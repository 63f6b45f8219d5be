/// Decoded `application/x-www-form-urlencoded` fields (a query string or a POST body),
/// strictly: malformed or NUL percent-escapes, invalid UTF-8, repeated names and oversized
/// fields are errors, never guesses.
public struct FormData: Equatable, Sendable {
    public private(set) var fields: [String: String]

    /// Longest accepted value, in bytes: a mentor's bio in the profile editor is the longest
    /// field (a body is at most 64 KiB anyway).
    public static let maximumFieldBytes = 48 * 1024
    /// Most fields in one request (the weekly-hours editor sends three per row).
    public static let maximumFields = 256

    public init(_ fields: [String: String] = [:]) {
        self.fields = fields
    }

    public subscript(name: String) -> String? { fields[name] }

    /// Parses `name=value&…` (https://url.spec.whatwg.org/#urlencoded-parsing, with the
    /// leniencies removed).
    public init(urlEncoded bytes: some Collection<UInt8>) throws(BookingError) {
        var fields: [String: String] = [:]
        guard !bytes.isEmpty else {
            self.fields = [:]
            return
        }
        let pairs = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
        guard pairs.count <= Self.maximumFields else { throw BookingError(.badRequest, "The request has too many fields.") }
        for pair in pairs {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0], what: "field name")
            let value = parts.count > 1 ? try Self.decode(parts[1], what: "value of \(name)") : ""
            guard !name.isEmpty else { throw BookingError(.badRequest, "The request has a field without a name.") }
            guard value.utf8.count <= Self.maximumFieldBytes else {
                throw BookingError(.payloadTooLarge, "The field \(name) is longer than \(Self.maximumFieldBytes / 1024) KB.")
            }
            guard fields[name] == nil else { throw BookingError(.badRequest, "The field \(name) was sent twice.") }
            fields[name] = value
        }
        self.fields = fields
    }

    /// Percent-decodes one component: `+` is a space, `%XX` a byte; the result must be
    /// valid UTF-8 without NUL or other control characters except tab, CR and LF.
    static func decode(_ bytes: some Collection<UInt8>, what: String) throws(BookingError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): output.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw BookingError(.badRequest, "The \(what) has a broken %-escape.")
                }
                output.append(high << 4 | low)
            default: output.append(byte)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw BookingError(.badRequest, "The \(what) is not valid UTF-8 text.")
        }
        if output.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }) {
            throw BookingError(.badRequest, "The \(what) contains control characters.")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
