import Foundation
import MentorCore
import MentorStore
import Testing
@testable import SiteGenerator

/// What `import` reads again: a file whose stamp matches is not read, one whose bytes match
/// is not parsed, and a file changed too recently to trust its stamp is compared by bytes.
@Suite struct ContentChangesTests {
    func site() -> TemporaryFolder {
        let folder = TemporaryFolder()
        for name in ["ana", "bo", "chen"] {
            folder.write("content/mentors/\(name).md", "---\nname: \(name.capitalized) Example\nhourly_rate: 50\n---\nBio of \(name).\n")
        }
        return folder
    }

    func load(_ folder: TemporaryFolder, known: [ContentFileStamp], currency: String = "EUR", always: Set<String> = [],
              trustedBefore: Int? = .max) throws -> ContentLoader.Changes {
        try ContentLoader.loadChanges(from: folder.path + "/content", defaultCurrency: currency,
                                      known: Dictionary(uniqueKeysWithValues: known.map { ($0.sourcePath, $0) }),
                                      always: always, trustedBefore: trustedBefore)
    }

    @Test func unchangedFilesAreNotReadAgain() throws {
        let folder = site()
        let first = try load(folder, known: [])
        #expect(first.changed.count == 3 && first.read == 3)
        #expect(first.present == ["mentors/ana.md", "mentors/bo.md", "mentors/chen.md"])
        #expect(first.files.allSatisfy { !$0.stamp.isEmpty })
        let second = try load(folder, known: first.files)
        #expect(second.changed.isEmpty && second.read == 0)
        #expect(second.files == first.files)
    }

    @Test func anEditIsParsedAndATouchIsOnlyRead() throws {
        let folder = site()
        let first = try load(folder, known: [])
        folder.write("content/mentors/bo.md", "---\nname: Bo Renamed\n---\nNew bio.\n")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_600_000_000)],
                                              ofItemAtPath: folder.path + "/content/mentors/chen.md")
        let second = try load(folder, known: first.files)
        #expect(second.changed.map(\.sourcePath) == ["mentors/bo.md"])
        #expect(second.changed.first?.profile.name == "Bo Renamed")
        #expect(second.read == 2)  // bo parsed; chen read, its bytes unchanged
        #expect(second.files.first { $0.sourcePath == "mentors/chen.md" }?.stamp != first.files.first { $0.sourcePath == "mentors/chen.md" }?.stamp)
    }

    @Test func aFileChangedJustNowIsComparedByItsBytesNextTime() throws {
        let folder = site()
        // By the real clock the files were written this second: too recent for a stamp.
        let first = try load(folder, known: [], trustedBefore: nil)
        #expect(first.files.allSatisfy { $0.stamp.isEmpty && !$0.digest.isEmpty })
        let second = try load(folder, known: first.files, trustedBefore: nil)
        #expect(second.changed.isEmpty && second.read == 3)
    }

    @Test func anotherDefaultCurrencyOrPreferringAFileParsesAgain() throws {
        let folder = site()
        let first = try load(folder, known: [])
        let other = try load(folder, known: first.files, currency: "GBP")
        #expect(other.changed.count == 3)
        #expect(other.changed.allSatisfy { $0.profile.hourlyRate?.currency == "GBP" })
        let preferred = try load(folder, known: first.files, always: ["mentors/ana.md"])
        #expect(preferred.changed.map(\.sourcePath) == ["mentors/ana.md"])
    }

    @Test func aBrokenChangedFileFailsTheWholeLoad() throws {
        let folder = site()
        let first = try load(folder, known: [])
        folder.write("content/mentors/ana.md", "---\nname: [unclosed\n---\n")
        #expect(throws: Diagnostics.self) { try load(folder, known: first.files) }
    }
}
