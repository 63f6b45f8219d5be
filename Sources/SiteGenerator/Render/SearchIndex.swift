import Foundation
import MentorCore

/// The directory's search index: static JSON files under `/search/` that
/// `assets/search.js` reads as a query needs them, written by every build.
///
/// Mentors are split into shards by a hash of their slug (a power of two of them, about 512
/// mentors each), so that one mentor's edit rewrites only their shard's files; every file
/// but the manifest has a content hash in its name and can be cached for good. Per shard:
///
/// - `t-<bucket>` files: an inverted index of the terms starting with that bucket's
///   character (`a`…`z`, `0` for digits, `_` for the rest), or with its first two letters
///   when a letter's postings are large: term → postings, each one number (the gap to the
///   previous document, numbered within the shard, times 16, plus the weight from where
///   the term appears: name 8, title 4, specialties and languages 3, location 2, bio 1, at
///   most 15);
/// - `fl`, `fs`, `fg`, `fc`: languages, specialties, gender and currency per document, as
///   numbers into the file's own list of values; `fn`: per document the price in minor
///   units, rating ×10, the weekdays with hours (a bit each, Monday first) and the earliest
///   start, from which the script estimates the next free day;
/// - `d<page>`: the card text of 64 documents: slug, name, title, price, rating, reviews,
///   specialties.
///
/// `index.json` names every file, the shard count, each shard's documents and the filter
/// values. A query for a term loads one `t-` file per shard, a filter or sort only the facet
/// files it needs, then the `d` pages of the results shown: at 10,000 mentors, 32 shards.
enum SearchIndex {
    static let version = 1
    static let mentorsPerShard = 512
    static let documentsPerPage = 64
    static let buckets = Array("abcdefghijklmnopqrstuvwxyz0_")

    /// What the index holds of one mentor (also kept in the render cache, so a shard can be
    /// rebuilt without reading its other mentors' bios).
    struct Document: Equatable, Sendable {
        var slug: String
        var name: String
        var title: String
        var price: String
        var priceMinor: Int
        var currency: String
        var rating: Int
        var reviews: Int
        var gender: String
        var languages: [String]
        var specialties: [String]
        /// Bit d (0 = Monday) set when the mentor has hours that weekday.
        var weekdays: Int
        /// Minutes after midnight of the earliest window start (mentor's time).
        var earliest: Int
        /// Term → weight.
        var terms: [(String, Int)]

        static func == (a: Document, b: Document) -> Bool {
            a.slug == b.slug && a.name == b.name && a.title == b.title && a.price == b.price && a.priceMinor == b.priceMinor
                && a.currency == b.currency && a.rating == b.rating && a.reviews == b.reviews && a.gender == b.gender
                && a.languages == b.languages && a.specialties == b.specialties && a.weekdays == b.weekdays && a.earliest == b.earliest
                && a.terms.map { "\($0.0):\($0.1)" } == b.terms.map { "\($0.0):\($0.1)" }
        }
    }

    /// Words too common to search for.
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "i", "in", "is", "it", "its", "me", "my",
        "of", "on", "or", "our", "so", "that", "the", "their", "them", "they", "this", "to", "we", "what", "when", "who", "will", "with", "you", "your",
    ]

    /// Lower-case words without diacritics (`Müller` → `muller`), as the script folds a query.
    /// ASCII runs are folded byte by byte; only a run with other characters goes through
    /// Unicode (decomposition, marks dropped, lower case): the whole Unicode path cost two
    /// thirds of a full build (perf), and `slowWords` stays the reference a test holds this to.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        scanWords(text, ascii: { words.append(String(decoding: $0, as: UTF8.self)) }, other: { words.append($0) })
        return words
    }

    /// Stop words packed as `pack` makes them.
    static let packedStopWords = Set(stopWords.compactMap { pack(Array($0.utf8)[...]) })

    /// Up to 8 ASCII bytes as one number (none of them is 0, so no two words share one).
    static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        return value
    }

    /// The words of `text`: runs of ASCII letters and digits, lowered, go to `ascii` as
    /// bytes (no String made for them); a run with other characters goes through
    /// `slowWords`, each word to `other`. Words shorter than 2 and stop words are left out.
    static func scanWords(_ text: String, ascii: (ArraySlice<UInt8>) -> Void, other: (String) -> Void) {
        // One loop over a copy of the bytes, without nested functions: a run and its flag
        // captured by a closure were boxed and checked for exclusive access on every byte.
        let bytes = Array(text.utf8)
        var run: [UInt8] = []
        run.reserveCapacity(32)
        var isASCII = true
        var index = 0
        while index <= bytes.count {
            let byte: UInt8 = index < bytes.count ? bytes[index] : 0x20
            index += 1
            switch byte {
            case 0x30...0x39, 0x61...0x7A: run.append(byte); continue
            case 0x41...0x5A: run.append(byte + 0x20); continue
            case 0x80...: run.append(byte); isASCII = false; continue
            default: break
            }
            if run.isEmpty { continue }
            if !isASCII {
                slowWords(String(decoding: run, as: UTF8.self)).forEach(other)
            } else if run.count >= 2, !(run.count <= 5 && packedStopWords.contains(pack(run[...])!)) {
                ascii(run[...])
            }
            run.removeAll(keepingCapacity: true)
            isASCII = true
        }
    }

    /// The Unicode reference for `words`.
    static func slowWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if current.count >= 2 {
                let word = String(current)
                if !stopWords.contains(word) { words.append(word) }
            }
            current.removeAll(keepingCapacity: true)
        }
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let properties = scalar.properties
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: break
            }
            if properties.isAlphabetic || properties.numericType != nil {
                current.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    static func document(for mentor: Mentor, bioText: String) -> Document {
        let p = mentor.profile
        // Words of up to 8 letters are counted by their packed bytes, longer ones by String:
        // a String per occurrence cost most of the index's time.
        var short: [UInt64: Int] = [:]
        var long: [String: Int] = [:]
        short.reserveCapacity(256)
        func add(_ text: String?, _ weight: Int) {
            guard let text else { return }
            scanWords(text, ascii: { bytes in
                if let packed = pack(bytes) { short[packed, default: 0] += weight } else { long[String(decoding: bytes, as: UTF8.self), default: 0] += weight }
            }, other: { long[$0, default: 0] += weight })
        }
        add(p.name, 8)
        add(p.title, 4)
        p.allSpecialties.forEach { add($0, 3) }
        p.languages.forEach { add($0, 3) }
        add(p.location, 2)
        add(bioText, 1)
        var weekdays = 0
        for window in p.availability { weekdays |= 1 << (window.day.rawValue - 1) }
        let earliest = p.availability.map { $0.start.hour * 60 + $0.start.minute }.min() ?? -1
        let session = p.hourlyRate?.forSession(minutes: p.sessionMinutes)
        return Document(slug: mentor.slug, name: p.name, title: p.title ?? "", price: session?.formatted ?? "", priceMinor: session?.minorUnits ?? -1,
                        currency: session?.currency ?? "", rating: p.rating.map { Int(($0 * 10).rounded()) } ?? -1, reviews: p.reviewCount ?? 0,
                        gender: p.gender ?? "", languages: p.languages, specialties: p.allSpecialties, weekdays: weekdays, earliest: earliest,
                        terms: weights(short, long))
    }

    /// Every word with its weight (at most 15), sorted.
    static func weights(_ short: [UInt64: Int], _ long: [String: Int]) -> [(String, Int)] {
        var all = long
        for (packed, weight) in short {
            var bytes: [UInt8] = []
            var value = packed
            while value != 0 {
                bytes.append(UInt8(value & 0xFF))
                value >>= 8
            }
            all[String(decoding: bytes.reversed(), as: UTF8.self), default: 0] += weight
        }
        return all.sorted { $0.key < $1.key }.map { ($0.key, min(15, $0.value)) }
    }

    // MARK: The render cache's text of a document

    /// One line per field, lists joined by a unit separator (none of them holds either).
    static func encode(_ d: Document) -> String {
        let separator = "\u{1F}"
        return [d.slug, d.name, d.title, d.price, String(d.priceMinor), d.currency, String(d.rating), String(d.reviews), d.gender,
                d.languages.joined(separator: separator), d.specialties.joined(separator: separator), String(d.weekdays), String(d.earliest),
                d.terms.map { "\($0.0) \($0.1)" }.joined(separator: separator)].joined(separator: "\n")
    }

    static func decode(_ text: String) -> Document? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 14, let priceMinor = Int(lines[4]), let rating = Int(lines[6]), let reviews = Int(lines[7]),
              let weekdays = Int(lines[11]), let earliest = Int(lines[12]) else { return nil }
        func list(_ line: String) -> [String] { line.isEmpty ? [] : line.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
        let terms = list(lines[13]).compactMap { item -> (String, Int)? in
            guard let space = item.lastIndex(of: " "), let weight = Int(item[item.index(after: space)...]) else { return nil }
            return (String(item[..<space]), weight)
        }
        return Document(slug: lines[0], name: lines[1], title: lines[2], price: lines[3], priceMinor: priceMinor, currency: lines[5], rating: rating,
                        reviews: reviews, gender: lines[8], languages: list(lines[9]), specialties: list(lines[10]), weekdays: weekdays,
                        earliest: earliest, terms: terms)
    }

    // MARK: Shards and files

    /// A power of two, about `mentorsPerShard` mentors each.
    static func shardCount(mentors: Int) -> Int {
        var count = 1
        while count * mentorsPerShard < mentors { count *= 2 }
        return count
    }

    static func shard(of slug: String, count: Int) -> Int {
        Int(UInt64(Slug.stableHash(slug), radix: 16).map { $0 % UInt64(count) } ?? 0)
    }

    static func bucket(of term: String) -> Character {
        guard let first = term.unicodeScalars.first else { return "_" }
        if first.isASCII, let letter = Character(first).asciiValue, (97...122).contains(letter) { return Character(first) }
        if first.properties.numericType != nil { return "0" }
        return "_"
    }

    /// Postings larger than this (JSON bytes) for one first letter are split by the first
    /// two letters, so that a query fetches fewer terms it did not ask for.
    static let bucketSplitBytes = 4096

    /// The files of one shard, its documents in slug order: (logical name, file).
    static func shardFiles(_ shard: Int, documents: [Document]) -> [(name: String, file: OutputFile)] {
        var files: [(String, OutputFile)] = []
        func add(_ name: String, _ json: JSON) {
            let bytes = Array(json.text.utf8)
            var hash = StableHash()
            hash.add(bytes)
            files.append((name, OutputFile(path: "search/\(name).\(hash.hex.prefix(10)).json", contents: bytes)))
        }
        let prefix = "s\(shard)"
        // The inverted index. Each posting is one number: the gap to the previous document
        // times 16, plus the weight (1…15).
        var postings: [String: [Int]] = [:]
        var last: [String: Int] = [:]
        for (index, document) in documents.enumerated() {
            for (term, weight) in document.terms {
                postings[term, default: []].append((index - (last[term] ?? -1)) * 16 + weight)
                last[term] = index
            }
        }
        func json(_ terms: [(String, [Int])]) -> JSON { .object(terms.map { ($0.0, .array($0.1.map { .number(String($0)) })) }) }
        var byBucket: [Character: [(String, [Int])]] = [:]
        for term in postings.keys.sorted() { byBucket[bucket(of: term), default: []].append((term, postings[term]!)) }
        for bucket in buckets {
            guard let terms = byBucket[bucket] else { continue }
            let whole = json(terms)
            if bucket.isLetter, whole.text.utf8.count > bucketSplitBytes {
                var byPrefix: [String: [(String, [Int])]] = [:]
                for item in terms { byPrefix[String(item.0.prefix(2)), default: []].append(item) }
                for key in byPrefix.keys.sorted() { add("\(prefix)-t-\(key)", json(byPrefix[key]!)) }
            } else {
                add("\(prefix)-t-\(bucket)", whole)
            }
        }
        // Filters and sorting, a file per need, values numbered within the shard.
        func facet(_ name: String, _ values: (Document) -> [String]) {
            var numbers: [String: Int] = [:]
            var names: [String] = []
            let rows = documents.map { document -> JSON in
                .array(values(document).map { value -> JSON in
                    if numbers[value] == nil {
                        numbers[value] = names.count
                        names.append(value)
                    }
                    return .number(String(numbers[value]!))
                })
            }
            add("\(prefix)-\(name)", .object([("v", .array(names.map { .string($0) })), ("d", .array(rows))]))
        }
        facet("fl") { $0.languages }
        facet("fs") { $0.specialties }
        facet("fg") { $0.gender.isEmpty ? [] : [$0.gender] }
        facet("fc") { $0.currency.isEmpty ? [] : [$0.currency] }
        add("\(prefix)-fn", .array(documents.flatMap { d in
            [d.priceMinor, d.rating, d.weekdays, d.earliest].map { JSON.number(String($0)) }
        }))
        for (page, start) in stride(from: 0, to: documents.count, by: documentsPerPage).enumerated() {
            add("\(prefix)-d\(page)", .array(documents[start..<min(documents.count, start + documentsPerPage)].map { d in
                .array([.string(d.slug), .string(d.name), .string(d.title), .string(d.price), .number(String(d.rating)), .number(String(d.reviews)),
                        .array(d.specialties.prefix(3).map { .string($0) })])
            }))
        }
        return files
    }

    /// `search/index.json`: the shard count, every file by logical name, and the values the
    /// filters offer.
    static func manifest(shards: Int, counts: [Int], files: [String: String], languages: [String], specialties: [String], genders: [String],
                         currency: String) -> OutputFile {
        let json = JSON.object([
            ("version", .number(String(version))),
            ("shards", .number(String(shards))),
            ("counts", .array(counts.map { .number(String($0)) })),
            ("per_page", .number(String(documentsPerPage))),
            ("currency", .string(currency)),
            ("files", .object(files.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("languages", .array(languages.map { .string($0) })),
            ("specialties", .array(specialties.map { .string($0) })),
            ("genders", .array(genders.map { .string($0) })),
        ])
        return OutputFile(path: "search/index.json", text: json.text)
    }
}
