import Foundation

/// Header fields of an RFC 5322 message, written for strict parsers: ASCII only, non-ASCII
/// text as RFC 2047 "B" encoded words of at most 75 characters each, lines folded before
/// 78 characters, a display name encoded apart from its address (an address inside an
/// encoded word is no address at all: MTAs and DMARC checks reject or rewrite the mail).
///
/// Held to Python's `email` package with `policy.strict` by the end-to-end tests.
enum MailHeaders {
    /// RFC 5322 §2.1.1: lines SHOULD stay within 78 characters.
    static let lineLimit = 78
    /// RFC 2047 §2: an encoded word is at most 75 characters.
    static let wordLimit = 75

    /// `Subject: …` and other free text, folded.
    static func unstructured(_ name: String, _ value: String) -> String {
        let clean = singleLine(value)
        let tokens = clean.unicodeScalars.allSatisfy(\.isASCII)
            ? clean.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            : encodedWords(clean, firstWidth: lineLimit - name.utf8.count - 2)
        return fold(name, tokens)
    }

    /// `From:`/`To:` for `Name <address>` or a bare address. The address is kept as it is
    /// (ASCII, checked when it was stored); the name is an atom phrase, a quoted string, or
    /// encoded words.
    static func mailbox(_ name: String, _ value: String) -> String {
        let (display, address) = split(mailbox: singleLine(value))
        guard let display, !display.isEmpty else { return name + ": <" + address + ">" }
        var tokens: [String]
        if display.unicodeScalars.allSatisfy(\.isASCII) {
            let atext = display.unicodeScalars.allSatisfy { $0 == " " || isAtext($0) }
            tokens = atext ? display.split(separator: " ").map(String.init)
                : ["\"" + display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""]
        } else {
            tokens = encodedWords(display, firstWidth: lineLimit - name.utf8.count - 2)
        }
        tokens.append("<" + address + ">")
        return fold(name, tokens)
    }

    /// `Name <a@b>` → ("Name", "a@b"); `a@b` → (nil, "a@b"). Quotes around the name go.
    static func split(mailbox text: String) -> (String?, String) {
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else { return (nil, text.trimmingCharacters(in: .whitespaces)) }
        var name = text[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        return (name, String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
    }

    /// Encoded words of whole characters, each within 75 characters (the first also within
    /// `firstWidth`, what is left of the header's first line).
    static func encodedWords(_ text: String, firstWidth: Int) -> [String] {
        var words: [String] = []
        var pending: [UInt8] = []
        func width(_ bytes: Int) -> Int { 12 + (bytes + 2) / 3 * 4 }  // "=?UTF-8?B?" + base64 + "?="
        for character in text {
            let bytes = Array(String(character).utf8)
            let limit = words.isEmpty ? min(wordLimit, firstWidth) : wordLimit - 1
            if !pending.isEmpty, width(pending.count + bytes.count) > limit {
                words.append("=?UTF-8?B?" + Data(pending).base64EncodedString() + "?=")
                pending = []
            }
            pending += bytes
        }
        if !pending.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(pending).base64EncodedString() + "?=") }
        return words
    }

    /// `Name: token token…`, a new line (CRLF and a space) before a token that would pass
    /// the line limit. Whitespace between two encoded words is not part of the text.
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var out = name + ":"
        var width = out.utf8.count
        for token in tokens {
            if width + 1 + token.utf8.count > lineLimit, width > name.utf8.count + 1 {
                out += "\r\n"
                width = 0
            }
            out += " " + token
            width += 1 + token.utf8.count
        }
        return out
    }

    /// Printable text on one line: CR, LF and other control characters become spaces.
    static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }

    /// RFC 5322 §3.2.3 atext.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar))
    }
}
