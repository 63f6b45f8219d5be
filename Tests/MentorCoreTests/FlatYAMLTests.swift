import Testing
import TestSupport
import Yams
@testable import MentorCore

/// The flat reader must read every text it accepts exactly as Yams does (keys, values,
/// plain or quoted, lines), and name the first line of anything else.
@Suite struct FlatYAMLTests {
    /// What Yams makes of a text: keys, scalar values, whether plain, lines; nil if anything
    /// but a mapping of plain keys to scalars.
    func yams(_ text: String) -> [(key: String, value: String, plain: Bool, line: Int)]? {
        let root: Node?
        do { root = try Yams.compose(yaml: text, .basic, .default, .utf8) } catch { return nil }
        // An empty document (blank or comments only) is an empty mapping to both readers.
        guard let root else { return [] }
        guard case .mapping(let map) = root else { return nil }
        var pairs: [(key: String, value: String, plain: Bool, line: Int)] = []
        for (key, value) in map {
            guard case .scalar(let keyScalar) = key, keyScalar.style == .plain, case .scalar(let scalar) = value,
                  [.plain, .singleQuoted, .doubleQuoted].contains(scalar.style) else { return nil }
            pairs.append((keyScalar.string, scalar.string, scalar.style == .plain, keyScalar.mark?.line ?? 0))
        }
        return pairs
    }

    /// True when the fast path took the text (and then agreed with Yams).
    @discardableResult
    func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let flat = FlatYAML.pairs(in: text) else { return false }
        let reference = yams(text)
        #expect(reference != nil, "Yams refuses what the fast path read: \(text.debugDescription)", sourceLocation: sourceLocation)
        guard let reference else { return true }
        #expect(flat.map(\.key) == reference.map(\.key), "\(text.debugDescription)", sourceLocation: sourceLocation)
        #expect(flat.map(\.value) == reference.map(\.value), "\(text.debugDescription)", sourceLocation: sourceLocation)
        #expect(flat.map(\.plain) == reference.map(\.plain), "\(text.debugDescription)", sourceLocation: sourceLocation)
        #expect(flat.map(\.line) == reference.map(\.line), "\(text.debugDescription)", sourceLocation: sourceLocation)
        return true
    }

    @Test func readsTheShippedConfigurationWithoutYams() throws {
        let text = try #require(Files.readText(#filePath.replacingOccurrences(of: "Tests/MentorCoreTests/FlatYAMLTests.swift", with: "mentorsite.yml")))
        let pairs = try #require(FlatYAML.pairs(in: text))
        #expect(pairs.first { $0.key == "base_url" }?.value == "http://127.0.0.1:8080")
        #expect(pairs.first { $0.key == "booking_url" }?.line == 13)
        expectSame(text)
    }

    @Test(arguments: [
        "a: b", "a: b # comment", "a: b#c", "a:", "a: # only a comment", "a: http://x:8080/y", "a: b\n  # indented comment\nc: d",
        "a: trailing   ", "a: Tëxt ünïcödé", "a: 10", "a: null", "a: 1e3", "a: yes", "a: x, [y] {z}", "\n\n# c\n", "",
        "site_name: O'Brien \"quoted\" inside", "a: 'quoted'", "a: \"quoted\"", "a: ''", "a: \"\"", "a: 'it''s' # c", "a: \"null\"",
        "a: \"tab\\tand \\\"q\\\" \\\\ \\/ \\u00e9 \\u20AC\"", "a: 'x: y # z'", "a: \"x: y # z\"  # comment", "---\na: b", "---\n# c\na: 'b'",
    ])
    func agreesWithYams(_ text: String) {
        #expect(FlatYAML.pairs(in: text) != nil, "\(text.debugDescription) should take the fast path")
        expectSame(text)
    }

    @Test(arguments: [
        "a: [1, 2]", "a: 'open", "a: \"open", "a: 'x' y", "a: \"x\"y", "a: \"\\x41\"", "a: \"\\ud800\"", "a: \"\\q\"", "a: 'a\tb'",
        "a: \"line\n  two\"", "a: 'x'\na: 'y'", "a: {b: c}", "a:\n  - x", "a: b\n  continued", "a: b: c", "a:\tb", "a: b\r\nc: d",
        "%YAML 1.1\n---\na: b", "a: b\n---\nc: d", "--- a: b", "a: &anchor b", "a: *alias", "a: !tag b", "a: ~", "a: Ünïcödé first", "a: |\n  block", "a: >\n  folded",
        "a: b\na: c", "- a", "a : b", "a:b", "a: b\u{85}c", "a: b\u{2028}c", "\u{FEFF}a: b", "a: @x", "a: `x", "a: ? x", "\"a\": b",
    ])
    func leavesEverythingElseToYams(_ text: String) {
        #expect(FlatYAML.pairs(in: text) == nil, "\(text.debugDescription) should go to Yams")
    }

    @Test func namesTheFirstLineItDoesNotRead() {
        guard case .unsupported(let line, let reason) = FlatYAML.read("a: b\n# c\nc:\n  - x\n") else { Issue.record("read a list"); return }
        #expect(line == 4 && reason == FlatYAML.notFlat)
        guard case .unsupported(let duplicate, let why) = FlatYAML.read("a: b\na: c") else { Issue.record("read a duplicate"); return }
        #expect(duplicate == 2 && why == "duplicate key \"a\"")
    }

    /// Thousands of texts built from awkward pieces: whatever the fast path accepts, Yams
    /// reads the same way.
    @Test func randomTextsAgreeWithYams() {
        let keys = ["a", "site_name", "b-2", "_x", "yes", "null", "A9", "-k", "k k"]
        let separators = [": ", ":", ":  ", " : ", ":\t"]
        let values = ["'s q'", "\"d q\"", "'it''s'", "\"e\\\"s\\\\c\\n\\u00fc\"", "'a # b'", "\"a: b\"", "'q' # c", "\"q\" #c", "'x'y", "\"\\t\"", "''", "\"\"", "plain", "http://x:80/a", "a b", "a #c", "#c", "a: b", "a:b", "'q'", "\"q\"", "[a, b]", "{a: 1}", "- x", "~", "null",
                      "ü", "a\tb", "a\u{85}b", "trail   ", "...", "x # y: z", "(1)", ".5", "/p", "a\\nb", "%x", "a ,b", "&a", "a&b", "", " "]
        let extras = ["", "  ", "# c", "  # c", "  cont", "---", "- item", "\t", "..."]
        var random = SeededRandom(seed: 20261126)
        var fast = 0
        for _ in 0..<4000 {
            var lines: [String] = []
            for _ in 0..<random.next(upTo: 5) {
                if random.next(upTo: 4) == 0 {
                    lines.append(extras[random.next(upTo: extras.count)])
                } else {
                    lines.append(keys[random.next(upTo: keys.count)] + separators[random.next(upTo: separators.count)] + values[random.next(upTo: values.count)])
                }
            }
            if expectSame(lines.joined(separator: random.next(upTo: 10) == 0 ? "\r\n" : "\n")) { fast += 1 }
        }
        // Enough texts took the fast path for the comparison to mean something.
        #expect(fast > 400)
    }
}

/// A small deterministic generator (SplitMix64), so a failure is reproducible.
