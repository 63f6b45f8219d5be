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
///   character (`a`…`z`, `0` for digits, `_` for the rest): term → [document, weight, …],
///   documents numbered within the shard, weights from where the term appears (name 8,
///   title 4, specialties and languages 3, bio 1, at most 15);
/// - `f`: per document what filters and sorting need: price (minor units) and currency,
///   rating ×10, gender, languages, specialties, and the weekdays with hours (a bit each,
///   Monday first) with the earliest start, from which the script estimates the next free
///   day;
/// - `d<page>`: the card text of 64 documents: slug, name, title, price, rating, reviews,
///   specialties.
///
/// `index.json` names every file, the shard count and the filter values. A query for a term
/// loads one `t-` file per shard, then the `d` pages of the results shown: at 10,000
/// mentors, 32 shards.
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
    static func words(_ text: String) -> [String] {
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
            if properties.generalCategory == .nonspacingMark { continue }
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
        var weights: [String: Int] = [:]
        func add(_ text: String?, _ weight: Int) {
            guard let text else { return }
            for word in words(text) { weights[word] = min(15, (weights[word] ?? 0) + weight) }
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
                        terms: weights.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
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
        // The inverted index, one file per bucket that has terms.
        var postings: [String: [Int]] = [:]
        for (index, document) in documents.enumerated() {
            for (term, weight) in document.terms { postings[term, default: []] += [index, weight] }
        }
        var byBucket: [Character: [(String, [Int])]] = [:]
        for term in postings.keys.sorted() { byBucket[bucket(of: term), default: []].append((term, postings[term]!)) }
        for bucket in buckets {
            guard let terms = byBucket[bucket] else { continue }
            add("\(prefix)-t-\(bucket)", .object(terms.map { ($0.0, .array($0.1.map { .number(String($0)) })) }))
        }
        add("\(prefix)-f", .array(documents.map { d in
            .array([.number(String(d.priceMinor)), .string(d.currency), .number(String(d.rating)), .string(d.gender),
                    .array(d.languages.map { .string($0) }), .array(d.specialties.map { .string($0) }),
                    .number(String(d.weekdays)), .number(String(d.earliest))])
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
    static func manifest(shards: Int, files: [String: String], languages: [String], specialties: [String], genders: [String],
                         currency: String) -> OutputFile {
        let json = JSON.object([
            ("version", .number(String(version))),
            ("shards", .number(String(shards))),
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
