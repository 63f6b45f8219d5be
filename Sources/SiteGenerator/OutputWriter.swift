import Foundation
import MentorCore

/// The only code that touches the output folder. Writes each file atomically (temporary
/// file, then rename), skips files whose bytes did not change, and removes files the build
/// no longer produces, but only in a folder it wrote before (marked by `.mentorsite-build`).
public struct OutputWriter {
    public struct Report: Equatable, Sendable {
        public var written: [String] = []
        public var unchanged = 0
        public var removed: [String] = []
    }

    public static let marker = ".mentorsite-build"
    /// Files in the output folder that the writer leaves alone.
    static let kept: Set<String> = [".gitignore", marker]

    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    public func write(_ files: [OutputFile]) throws(GeneratorError) -> Report {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw GeneratorError(stage: .write, file: folder, message: "cannot create the output folder: \(reason(error))")
        }
        let existing = existingFiles()
        let foreign = existing.subtracting(Self.kept)
        if !foreign.isEmpty && !manager.fileExists(atPath: folder + "/" + Self.marker) {
            throw GeneratorError(stage: .write, file: folder, message: "holds files that mentorsite did not write (e.g. \(foreign.sorted().first!)); empty it or choose another --output")
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw GeneratorError(stage: .write, file: folder, message: "the output folder is not writable")
        }
        var all = files
        all.append(OutputFile(path: Self.marker, text: "This folder is written by `mentorsite build`; files in it may be replaced or removed.\n"))

        let folder = self.folder
        let results = parallelMap(all) { file -> Result<Bool, GeneratorError> in
            Self.writeIfChanged(file, in: folder)
        }
        var report = Report()
        var failures: [Diagnostic] = []
        for (file, result) in zip(all, results) {
            switch result {
            case .success(true): report.written.append(file.path)
            case .success(false): report.unchanged += 1
            case .failure(let error): failures += error.diagnostics
            }
        }
        if !failures.isEmpty { throw GeneratorError(stage: .write, diagnostics: Array(failures.prefix(20))) }

        let produced = Set(all.map(\.path))
        for stale in existing.subtracting(produced).subtracting(Self.kept).sorted() {
            do {
                try manager.removeItem(atPath: folder + "/" + stale)
                report.removed.append(stale)
            } catch {
                throw GeneratorError(stage: .write, file: folder + "/" + stale, message: "cannot remove a stale file: \(reason(error))")
            }
        }
        removeEmptyFolders()
        return report
    }

    /// Writes a file unless it already holds exactly these bytes. Returns whether it wrote.
    static func writeIfChanged(_ file: OutputFile, in folder: String) -> Result<Bool, GeneratorError> {
        let path = folder + "/" + file.path
        if let current = FileManager.default.contents(atPath: path), current.count == file.contents.count, [UInt8](current) == file.contents {
            return .success(false)
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Data.write(.atomic) writes a temporary file beside the target and renames it,
            // so readers and a crash never see half a page.
            try Data(file.contents).write(to: URL(fileURLWithPath: path), options: .atomic)
            return .success(true)
        } catch {
            return .failure(GeneratorError(stage: .write, file: path, message: "cannot write: \(reason(error))"))
        }
    }

    func existingFiles() -> Set<String> {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files = Set<String>()
        while let path = enumerator.nextObject() as? String {
            if let type = enumerator.fileAttributes?[.type] as? FileAttributeType, type != .typeDirectory {
                files.insert(path)
            }
        }
        return files
    }

    func removeEmptyFolders() {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return }
        var folders: [String] = []
        while let path = enumerator.nextObject() as? String {
            if let type = enumerator.fileAttributes?[.type] as? FileAttributeType, type == .typeDirectory { folders.append(path) }
        }
        for path in folders.sorted(by: { $0.count > $1.count }) {
            let full = folder + "/" + path
            if (try? FileManager.default.contentsOfDirectory(atPath: full))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: full)
            }
        }
    }
}

/// The system's words for a file error, without Foundation's wrapping.
func reason(_ error: Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
    return nsError.localizedDescription
}
