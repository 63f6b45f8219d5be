import CMark
#if canImport(Glibc)
import Glibc
#endif

/// CommonMark through libcmark, the one place that owns cmark's memory and options.
///
/// cmark 0.30 is safe by default: raw HTML becomes a comment and `javascript:`, `vbscript:`,
/// `file:` and most `data:` links lose their URL. `CMARK_OPT_UNSAFE` is never set.
/// Invalid UTF-8 is replaced (`CMARK_OPT_VALIDATE_UTF8`), and callers cap the input size
/// first, since cmark's time and memory grow with it.
public enum Markdown {
    /// The rendered HTML and the plain text of one document.
    public struct Rendered: Equatable, Sendable {
        public var html: String
        public var plainText: String
    }

    static func relevel(_ headings: [OpaquePointer]) {
        let ranks = Dictionary(uniqueKeysWithValues: Set(headings.map { cmark_node_get_heading_level($0) }).sorted().enumerated().map { ($1, Int32($0)) })
        var previous: Int32 = 1
        for heading in headings {
            let level = min(6, 2 + (ranks[cmark_node_get_heading_level(heading)] ?? 0), previous + 1)
            cmark_node_set_heading_level(heading, level)
            previous = level
        }
    }

    static let options = CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART | CMARK_OPT_NOBREAKS

    /// Renders `markdown` with its headings re-levelled below the page's one `<h1>`: the
    /// text's top heading level becomes `<h2>`, the next `<h3>` and so on, and no heading is
    /// more than one level below the one before it, so the page's outline has no gaps
    /// whether an author starts with `#` or `##`.
    public static func render(_ markdown: String) -> Rendered {
        var source = markdown
        return source.withUTF8 { buffer -> Rendered in
            guard let document = cmark_parse_document(buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count, options) else {
                return Rendered(html: "", plainText: "")
            }
            defer { cmark_node_free(document) }
            var plain = ""
            var images: [OpaquePointer] = []
            var headings: [OpaquePointer] = []
            if let iterator = cmark_iter_new(document) {
                defer { cmark_iter_free(iterator) }
                while true {
                    let event = cmark_iter_next(iterator)
                    if event == CMARK_EVENT_DONE { break }
                    guard let node = cmark_iter_get_node(iterator) else { continue }
                    let type = cmark_node_get_type(node)
                    if event == CMARK_EVENT_ENTER {
                        switch type {
                        case CMARK_NODE_HEADING:
                            headings.append(node)
                        case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                            if let literal = cmark_node_get_literal(node) { plain += String(cString: literal) }
                        case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                            plain += " "
                        case CMARK_NODE_IMAGE:
                            images.append(node)
                        default: break
                        }
                    } else if event == CMARK_EVENT_EXIT, type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING || type == CMARK_NODE_ITEM {
                        plain += " "
                    }
                }
            }
            relevel(headings)
            // Images in a bio would load from anywhere; keep their alt text only.
            for image in images { unwrapImage(image) }
            guard let html = cmark_render_html(document, options) else { return Rendered(html: "", plainText: collapse(plain)) }
            defer { free(html) }
            return Rendered(html: String(cString: html), plainText: collapse(plain))
        }
    }

    private static func unwrapImage(_ image: OpaquePointer) {
        while let child = cmark_node_first_child(image) {
            cmark_node_insert_before(image, child)
        }
        cmark_node_unlink(image)
        cmark_node_free(image)
    }

    /// Collapses runs of whitespace (ASCII whitespace and no-break spaces) to one space
    /// and trims the ends. Works on UTF-8 bytes: this runs over every bio.
    public static func collapse(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var utf8 = text.utf8.makeIterator()
        var lookahead: UInt8? = utf8.next()
        while let byte = lookahead {
            lookahead = utf8.next()
            let isSpace: Bool
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                isSpace = true
            } else if byte == 0xC2, lookahead == 0xA0 {
                lookahead = utf8.next()  // U+00A0 NO-BREAK SPACE
                isSpace = true
            } else {
                isSpace = false
            }
            if isSpace {
                pendingSpace = !bytes.isEmpty
            } else {
                if pendingSpace { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
