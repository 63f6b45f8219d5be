/// The rule for one line of text people type and other people read: names, titles, list
/// items, reasons. What it refuses could otherwise start a new property in a calendar file
/// or a header in a mail (control characters, including CR LF, which Swift counts as one
/// `Character`), reorder what a reader sees (bidirectional overrides), or show nothing at
/// all (text made only of zero-width characters or combining marks).
public enum PlainText {
    /// At most this many combining marks on one character: real scripts need a few
    /// (Vietnamese stacks two), "Zalgo" text hundreds.
    public static let maximumMarksInARow = 4

    /// Why `text` is not one line of visible text, or nil when it is.
    public static func problem(_ text: String) -> String? {
        // Most text is printable ASCII: one pass over its bytes decides it (the booking CGI
        // reads its configuration through this on every request).
        var printable = true
        var nonSpace = false
        for byte in text.utf8 {
            if byte < 0x20 || byte > 0x7E { printable = false; break }
            if byte != 0x20 { nonSpace = true }
        }
        if printable { return nonSpace ? nil : "has no visible characters" }
        var visible = false
        var marksInARow = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) {
                return "must not contain bidirectional override or isolate characters (U+\(hex(value)))"
            }
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                return "must be one line of text without control characters (U+\(hex(value)))"
            case .nonspacingMark, .spacingMark, .enclosingMark:
                marksInARow += 1
                if marksInARow > maximumMarksInARow { return "has more than \(maximumMarksInARow) combining marks on one character" }
            case .format, .spaceSeparator:
                marksInARow = 0
            default:
                marksInARow = 0
                visible = true
            }
        }
        return visible ? nil : "has no visible characters"
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.utf8.count)) + digits
    }
}
