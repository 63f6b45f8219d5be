import CommonMark
/// Search-engine text: meta descriptions and titles.
public enum SEO {
    public static let descriptionRange = 50...160

    /// A meta description from a bio's plain text: at most 160 characters, cut at a word
    /// with an ellipsis; text shorter than 50 characters is led by `lead` (who and where).
    public static func metaDescription(plainText: String, lead: String) -> String {
        // Only the start of a bio can reach the description; don't walk the rest.
        var text = Markdown.collapse(String(plainText.unicodeScalars.prefix(descriptionRange.upperBound * 2)))
        if text.count < descriptionRange.lowerBound {
            text = text.isEmpty ? lead : lead + " " + text
        }
        if text.count < descriptionRange.lowerBound {
            text += " Book a private session online."
        }
        return shorten(text, to: descriptionRange.upperBound, keeping: descriptionRange.lowerBound)
    }

    /// `text` when it has at most `limit` characters; otherwise its start, cut at the last
    /// space that keeps at least `minimum` characters (else at `limit - 1`), without
    /// trailing punctuation or spaces, then "…". For meta descriptions and card excerpts.
    static func shorten(_ text: String, to limit: Int, keeping minimum: Int = 0) -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= minimum {
            cut = String(cut[..<space])
        } else {
            cut = String(cut.prefix(limit - 1))
        }
        while let last = cut.last, ",;:-–—(".contains(last) || last.isWhitespace { cut.removeLast() }
        return cut + "…"
    }
}
