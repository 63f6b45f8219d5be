/// HTML escaping: templates' `{{…}}`, and text the generator writes outside templates
/// (sitemap, SVG, redirects).
public enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` for element text and quoted attributes (and XML).
    /// Works on UTF-8 bytes (every special character is ASCII): most strings have none and
    /// come back as they are.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: isSpecial) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 24)
        appendEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27
    }

    /// Appends `text` escaped as `escape` does, to a byte buffer.
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var from = 0
            for index in 0..<bytes.count where isSpecial(bytes[index]) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<index]))
                switch bytes[index] {
                case UInt8(ascii: "&"): out += [0x26, 0x61, 0x6D, 0x70, 0x3B]  // &amp;
                case UInt8(ascii: "<"): out += [0x26, 0x6C, 0x74, 0x3B]  // &lt;
                case UInt8(ascii: ">"): out += [0x26, 0x67, 0x74, 0x3B]  // &gt;
                case UInt8(ascii: "\""): out += [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B]  // &quot;
                default: out += [0x26, 0x23, 0x33, 0x39, 0x3B]  // &#39;
                }
                from = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<bytes.count]))
        }
    }

    /// HTML `id` values for labels and inputs made from free text, one per item, in order:
    /// ASCII letters and digits kept, every other run of characters one hyphen
    /// ("Life transitions" → `specialty-Life-transitions`); a repeat gets `-2`, `-3`. An id
    /// must not contain whitespace (HTML § 3.2.6.1), and item names may.
    public static func elementIDs(_ items: [String], prefix: String) -> [String] {
        var used: [String] = []
        return items.map { item in
            var id = prefix
            var pendingHyphen = false
            for byte in item.utf8 {
                let isWordByte = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                if isWordByte {
                    if pendingHyphen && id.utf8.count > prefix.utf8.count { id += "-" }
                    pendingHyphen = false
                    id.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    pendingHyphen = true
                }
            }
            if id == prefix { id += "item" }
            var unique = id
            var number = 2
            while used.contains(unique) {
                unique = id + "-" + String(number)
                number += 1
            }
            used.append(unique)
            return unique
        }
    }
}
