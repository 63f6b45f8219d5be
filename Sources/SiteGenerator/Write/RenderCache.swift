import Foundation
import Glibc
import MentorCore

/// What an incremental build needs of the mentors it does not render: each one's card HTML
/// (the listings show it), their search document (their shard of the search index may need
/// writing again) and the key of what their page showed when it was written.
///
/// One file, `.mentorsite/render-cache`, append-only: a build appends the cards it rendered,
/// and a later record of a slug wins. It is rewritten whole when the build's inputs
/// (templates, configuration, pages, the executable) changed or when dead records
/// outnumber live ones. Its header names the inputs and the output folder's marker
/// fingerprint that the cards belong to: the header is blanked while a build writes and set
/// after the marker is, so a build that stopped half way, another output folder or a build
/// by another mentorsite all make the next build render everything.
///
///     mentorsite render cache 2
///     <inputs 16 hex> <marker fingerprint 16 hex>
///     <slug>\t<render key>\t<card bytes>\t<search bytes>\n<card HTML><search text>\n …
struct RenderCache {
    struct Entry: Equatable, Sendable {
        var renderKey: String
        var card: String
        var search = ""
    }

    static let magic = "mentorsite render cache 2\n"
    static let blank = String(repeating: "0", count: 16)

    let path: String
    /// Slug → the latest record (only when the header matched).
    private(set) var entries: [String: Entry] = [:]
    /// Records in the file, live or not.
    private(set) var records = 0
    /// The header matched the inputs and the output's fingerprint.
    private(set) var isValid = false

    /// Reads the cache; it is empty unless made for these inputs and this output state.
    static func load(path: String, inputs: String, outputFingerprint: String?) -> RenderCache {
        var cache = RenderCache(path: path)
        guard let outputFingerprint, outputFingerprint != blank,
              let data = FileManager.default.contents(atPath: path) else { return cache }
        let bytes = [UInt8](data)
        let header = Array((magic + "\(inputs) \(outputFingerprint)\n").utf8)
        guard bytes.count >= header.count, bytes[..<header.count].elementsEqual(header) else { return cache }
        cache.isValid = true
        var index = header.count
        // A record cut short (a crash while appending) ends the reading; those before it hold.
        while let newline = bytes[index...].firstIndex(of: 0x0A) {
            let fields = bytes[index..<newline].split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.count == 4, let cardLength = Int(String(decoding: fields[2], as: UTF8.self)),
                  let searchLength = Int(String(decoding: fields[3], as: UTF8.self)), cardLength >= 0, searchLength >= 0 else { break }
            let length = cardLength + searchLength
            guard newline + 1 + length < bytes.count, bytes[newline + 1 + length] == 0x0A else { break }
            let card = String(decoding: bytes[(newline + 1)..<(newline + 1 + cardLength)], as: UTF8.self)
            let search = String(decoding: bytes[(newline + 1 + cardLength)..<(newline + 1 + length)], as: UTF8.self)
            cache.entries[String(decoding: fields[0], as: UTF8.self)] = Entry(renderKey: String(decoding: fields[1], as: UTF8.self), card: card, search: search)
            cache.records += 1
            index = newline + 2 + length
        }
        return cache
    }

    /// Marks the cache as not matching any output, before a build writes.
    func invalidate() {
        guard FileManager.default.fileExists(atPath: path) else { return }
        setHeader(inputs: Self.blank, fingerprint: Self.blank)
    }

    /// Records the cards a build rendered, once its marker has been written.
    /// - Parameter live: the slugs the site has now (older records are dropped on a rewrite).
    mutating func save(_ rendered: [String: Entry], inputs: String, outputFingerprint: String, live: Set<String>) throws {
        for (slug, entry) in rendered { entries[slug] = entry }
        entries = entries.filter { live.contains($0.key) }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if isValid && records + rendered.count <= 2 * entries.count + 1000 {
            // Append, then name the new output state in the header.
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else { throw cacheError() }
            let failure = Files.writeAll(descriptor, Self.recordBytes(rendered.sorted { $0.key < $1.key }))
            close(descriptor)
            guard failure == 0 else { throw cacheError(failure) }
            records += rendered.count
            setHeader(inputs: inputs, fingerprint: outputFingerprint)
        } else {
            var bytes = Array((Self.magic + "\(inputs) \(outputFingerprint)\n").utf8)
            bytes += Self.recordBytes(entries.sorted { $0.key < $1.key })
            let failure = Files.replace(path, with: bytes, mode: 0o600)
            if failure != 0 { throw cacheError(failure) }
            records = entries.count
        }
        isValid = true
    }

    /// A shard's files (logical name → path) as one line of text, and back.
    static func encodeFiles(_ files: [String: String]) -> String {
        files.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1F}")
    }

    static func decodeFiles(_ text: String) -> [String: String] {
        var files: [String: String] = [:]
        for item in text.split(separator: "\u{1F}") {
            guard let equals = item.lastIndex(of: "=") else { continue }  // paths hold no "="
            files[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return files
    }

    static func recordBytes(_ records: [(key: String, value: Entry)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (slug, entry) in records {
            let card = Array(entry.card.utf8)
            let search = Array(entry.search.utf8)
            bytes += Array("\(slug)\t\(entry.renderKey)\t\(card.count)\t\(search.count)\n".utf8)
            bytes += card
            bytes += search
            bytes.append(0x0A)
        }
        return bytes
    }

    /// Overwrites the second line in place (it has a fixed length).
    private func setHeader(inputs: String, fingerprint: String) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        let line = Array("\(inputs) \(fingerprint)\n".utf8)
        _ = line.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(Self.magic.utf8.count)) }
        close(descriptor)
    }

    private func cacheError(_ code: Int32 = errno) -> GeneratorError {
        GeneratorError(stage: .write, file: path, message: "cannot write the render cache: \(String(cString: strerror(code)))")
    }
}
