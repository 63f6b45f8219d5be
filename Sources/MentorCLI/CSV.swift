/// RFC 4180 CSV, as both `mentorsite appointments --format csv` and `mentorsite report`
/// write it: CR LF line ends, and a field quoted (its quotes doubled) when it holds a comma,
/// a quote or a line break.
enum CSV {
    static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// The rows, each field through `field` (by default as it is).
    static func document(_ rows: [[String]], field: (String) -> String = field) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
