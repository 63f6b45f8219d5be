/// The one email-address rule, for patients' form input and mentors' `email` key.
public enum EmailAddress {
    /// One plain address (no display name, no list), lowercase-insensitive, with nothing
    /// that could break a mail header: no control characters, spaces, commas or brackets.
    /// Sizes follow RFC 5321 (local part ≤ 64, whole ≤ 254).
    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count <= 254, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let forbidden: Set<Character> = ["<", ">", ",", ";", ":", "\"", "(", ")", "[", "]", "\\"]
        guard !text.contains(where: { forbidden.contains($0) }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        // A dot-atom local part (RFC 5321 §4.1.2): no dot first, last or twice in a row.
        guard !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..") else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy {
            !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }
}
