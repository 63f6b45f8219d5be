/// URL slugs: lowercase ASCII letters, digits and single hyphens.
public enum Slug {
    /// The longest slug made from a name; longer ones are cut at a hyphen.
    public static let maximumLength = 80

    /// Makes a slug from text already transliterated to Latin and lowercased (`Slug.make`
    /// in SiteGenerator does that with ICU, which the booking CGI does not link):
    /// everything but ASCII letters and digits becomes single hyphens, apostrophes join,
    /// long slugs are cut at a hyphen, and text that leaves nothing behind gets a stable
    /// fallback made from a hash of `original`.
    public static func make(transliterated latin: String, original text: String) -> String {
        var slug = ""
        var pendingHyphen = false
        for scalar in latin.unicodeScalars {
            let isWordCharacter = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if isWordCharacter {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" || scalar == "\u{02BF}" || scalar == "\u{02BE}" {
                // Apostrophes and ayin/hamza marks join: "O'Brien" → obrien.
                continue
            } else {
                pendingHyphen = true
            }
        }
        if slug.count > maximumLength {
            slug = String(slug.prefix(maximumLength))
            if let cut = slug.lastIndex(of: "-") { slug = String(slug[..<cut]) }
        }
        if slug.isEmpty { return "mentor-" + stableHash(text) }
        return slug
    }

    /// True for text that is already a valid slug.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 100, text.first != "-", text.last != "-", !text.contains("--") else { return false }
        return text.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }

    /// The first of `base`, `base-2`, `base-3` … that `isTaken` refuses.
    /// - Parameter first: the first number to try after `base` itself.
    public static func unique(_ base: String, from first: Int = 2, isTaken: (String) -> Bool) -> String {
        if !isTaken(base) { return base }
        var counter = max(2, first)
        while isTaken("\(base)-\(counter)") { counter += 1 }
        return "\(base)-\(counter)"
    }

    /// True when `slug` is `base` or `base-N` for a number N ≥ 2.
    public static func slug(_ slug: String, isNumberedFormOf base: String) -> Bool {
        if slug == base { return true }
        guard slug.hasPrefix(base + "-") else { return false }
        let suffix = slug.dropFirst(base.count + 1)
        guard let number = Int(suffix), number >= 2, String(number) == suffix else { return false }
        return true
    }

    /// Eight hex digits of FNV-1a over the UTF-8 bytes: stable across runs and machines.
    public static func stableHash(_ text: String) -> String { stableHash(bytes: Array(text.utf8)) }

    public static func stableHash(bytes: [UInt8]) -> String {
        var hash: UInt32 = 2_166_136_261
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                hash ^= UInt32(byte)
                hash = hash &* 16_777_619
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
