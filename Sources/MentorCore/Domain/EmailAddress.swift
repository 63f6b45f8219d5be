/// The one email-address rule, for patients' form input and mentors' `email` key.
public enum EmailAddress {
    /// One plain address (no display name, no list), lowercase-insensitive, with nothing
    /// that could break a mail header: no control characters, spaces, commas or brackets.
    /// Sizes follow RFC 5321 (local part ≤ 64, whole ≤ 254); the local part is a dot-atom
    /// (no dot first, last or twice in a row). Checked on bytes: the booking CGI reads a
    /// configured address on every request.
    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { return false }
        var localLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in bytes[..<at] {
            guard isAllowed(byte), !(byte == UInt8(ascii: ".") && previous == UInt8(ascii: ".")) else { return false }
            previous = byte
            localLength += 1
        }
        guard localLength > 0, localLength <= 64, previous != UInt8(ascii: ".") else { return false }
        // The domain: two or more labels of letters, digits and inner hyphens.
        var labels = 0
        var labelLength = 0
        var first: UInt8 = 0
        var last: UInt8 = 0
        func endLabel() -> Bool {
            guard labelLength > 0, first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
            labels += 1
            labelLength = 0
            return true
        }
        for byte in bytes[bytes.index(after: at)...] {
            if byte == UInt8(ascii: ".") {
                guard endLabel() else { return false }
                continue
            }
            let lower = byte | 0x20
            guard (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") else { return false }
            if labelLength == 0 { first = byte }
            last = byte
            labelLength += 1
        }
        guard endLabel() else { return false }
        return labels >= 2
    }

    /// Printable ASCII other than space and the characters that end or split an address
    /// in a header: `< > , ; : " ( ) [ ] \ @`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\""),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: "@"):
            return false
        default:
            return true
        }
    }
}
