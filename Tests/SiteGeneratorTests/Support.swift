import Foundation
import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

/// Lists files of a folder that the test does not own.
struct TemporaryFolderView {
    let path: String
    func files() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var result: [String] = []
        while let item = enumerator.nextObject() as? String {
            if (enumerator.fileAttributes?[.type] as? FileAttributeType) != .typeDirectory { result.append(item) }
        }
        return result.sorted()
    }
}

/// A temporary folder, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "sitegen-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) {
        let full = path + "/" + relative
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    /// Every file below the folder, relative, sorted.
    func files(under relative: String = "") -> [String] {
        let root = relative.isEmpty ? path : path + "/" + relative
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var result: [String] = []
        while let item = enumerator.nextObject() as? String {
            if (enumerator.fileAttributes?[.type] as? FileAttributeType) != .typeDirectory { result.append(item) }
        }
        return result.sorted()
    }
}

enum Paths {
    /// The repository root, found from this file's path.
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let templates = repository + "/templates"
    static let fixtures = repository + "/Tests/SiteGeneratorTests/Fixtures"
}

/// Copies a folder (used to copy fixtures and templates into a temporary site).
func copyFolder(_ source: String, to destination: String) {
    try? FileManager.default.removeItem(atPath: destination)
    try! FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! FileManager.default.copyItem(atPath: source, toPath: destination)
}

/// A site folder with the repository's templates, ready for `Generator`.
func makeSite(content fixture: String? = nil) -> (TemporaryFolder, SiteConfig) {
    let folder = TemporaryFolder()
    copyFolder(Paths.templates, to: folder.path + "/templates")
    var config = SiteConfig()
    if let fixture {
        copyFolder(Paths.fixtures + "/\(fixture)/content", to: folder.path + "/content")
        config = try! SiteConfig.load(path: Paths.fixtures + "/\(fixture)/mentorsite.yml")
    }
    config.root = folder.path
    return (folder, config)
}

func generator(_ config: SiteConfig) -> Generator {
    var generator = Generator(config: config)
    generator.now = { "2026-01-02T03:04:05Z" }
    return generator
}
