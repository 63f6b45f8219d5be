import Foundation
import Glibc
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

    /// The marker's text: what it is, the build's fingerprint, and the size of every file
    /// the build wrote (checked before a rebuild is skipped).
    static func markerText(fingerprint: String?, files: [(path: String, size: Int)]) -> String {
        var text = "This folder is written by `mentorsite build`; files in it may be replaced or removed.\n"
        guard let fingerprint else { return text }
        text += "fingerprint \(fingerprint)\n"
        for file in files.sorted(by: { $0.path < $1.path }) { text += "\(file.size) \(file.path)\n" }
        return text
    }

    /// True when the last build had this fingerprint and all its files are still there
    /// with their sizes: then nothing needs rendering.
    public func isUpToDate(fingerprint: String) -> Bool {
        guard let recorded = recorded(), recorded.fingerprint == fingerprint else { return false }
        return recorded.files.allSatisfy { Files.size(of: folder + "/" + $0.key) == $0.value }
    }

    /// The last build's fingerprint and files with their sizes, from the marker (nil: none).
    public func recorded() -> (fingerprint: String, files: [String: Int])? {
        guard let bytes = Files.bytes(at: folder + "/" + Self.marker) else { return nil }
        let lines = bytes.split(separator: 0x0A)
        let prefix = Array("fingerprint ".utf8)
        guard lines.count >= 2, lines[1].starts(with: prefix) else { return nil }
        var files: [String: Int] = [:]
        files.reserveCapacity(lines.count)
        for line in lines.dropFirst(2) {
            guard let space = line.firstIndex(of: 0x20) else { return nil }
            var size = 0
            for digit in line[..<space] {
                guard (0x30...0x39).contains(digit) else { return nil }
                size = size * 10 + Int(digit - 0x30)
            }
            files[String(decoding: line[(space + 1)...], as: UTF8.self)] = size
        }
        return (String(decoding: lines[1].dropFirst(prefix.count), as: UTF8.self), files)
    }

    /// Counts the files a skipped build would have left unchanged.
    public func recordedFileCount() -> Int {
        guard let data = FileManager.default.contents(atPath: folder + "/" + Self.marker) else { return 0 }
        return max(0, String(decoding: data, as: UTF8.self).split(separator: "\n").count - 2)
    }

    /// Writes a whole build at once.
    public func write(_ files: [OutputFile], fingerprint: String? = nil) throws(GeneratorError) -> Report {
        let session = try begin()
        try session.write(files)
        return try session.finish(fingerprint: fingerprint)
    }

    /// Checks the folder (creates it, refuses one that holds files it did not write) and
    /// starts a build that arrives in batches.
    /// - Parameter recordedFiles: the files the last build's marker lists, when this build
    ///   relies on them (an incremental build): they stand for the folder's contents instead
    ///   of listing it, so files put there by hand stay until a full build.
    public func begin(recordedFiles: [String: Int]? = nil) throws(GeneratorError) -> Session {
        if let recordedFiles {
            return Session(writer: self, existing: Set(recordedFiles.keys))
        }
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
        return Session(writer: self, existing: existing)
    }

    /// One build's writes: batches of files, then `finish`.
    public final class Session {
        let writer: OutputWriter
        let existing: Set<String>
        var produced: [(path: String, size: Int)] = []
        var report = Report()

        init(writer: OutputWriter, existing: Set<String>) {
            self.writer = writer
            self.existing = existing
        }

        /// Writes the files of a batch whose bytes changed, on all cores.
        public func write(_ files: [OutputFile]) throws(GeneratorError) {
            let folder = writer.folder
            let results = parallelMap(files) { file -> Result<Bool, GeneratorError> in
                OutputWriter.writeIfChanged(file, in: folder)
            }
            var failures: [Diagnostic] = []
            for (file, result) in zip(files, results) {
                switch result {
                case .success(true): report.written.append(file.path)
                case .success(false): report.unchanged += 1
                case .failure(let error): failures += error.diagnostics
                }
                produced.append((file.path, file.contents.count))
            }
            if !failures.isEmpty { throw GeneratorError(stage: .write, diagnostics: Array(failures.prefix(20))) }
        }

        /// Counts files left as they are on disk (an incremental build did not render them)
        /// as produced, with their sizes.
        public func keep(_ files: [(path: String, size: Int)]) {
            produced += files
            report.unchanged += files.count
        }

        /// Writes the marker, removes files this build did not produce, and reports.
        public func finish(fingerprint: String?) throws(GeneratorError) -> Report {
            try write([OutputFile(path: OutputWriter.marker, text: OutputWriter.markerText(fingerprint: fingerprint, files: produced))])
            let paths = Set(produced.map(\.path))
            for stale in existing.subtracting(paths).subtracting(OutputWriter.kept).sorted() {
                if unlink(writer.folder + "/" + stale) != 0 && errno != ENOENT {
                    throw GeneratorError(stage: .write, file: writer.folder + "/" + stale, message: "cannot remove a stale file: \(String(cString: strerror(errno)))")
                }
                report.removed.append(stale)
            }
            writer.removeEmptyFolders(above: report.removed)
            return report
        }
    }

    /// Writes a file unless it already holds exactly these bytes. Returns whether it wrote.
    static func writeIfChanged(_ file: OutputFile, in folder: String) -> Result<Bool, GeneratorError> {
        let path = folder + "/" + file.path
        var info = stat()
        let exists = stat(path, &info) == 0
        // memcmp, not elementsEqual: comparing Data byte by byte through its iterator cost a
        // fifth of an incremental build.
        if exists, Int(info.st_size) == file.contents.count, let current = Files.bytes(at: path), current.count == file.contents.count,
           file.contents.isEmpty || current.withUnsafeBytes({ old in file.contents.withUnsafeBytes { new in memcmp(old.baseAddress!, new.baseAddress!, new.count) == 0 } }) {
            return .success(false)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !exists, mkdir(directory, 0o755) != 0, errno != EEXIST {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                return .failure(GeneratorError(stage: .write, file: path, message: "cannot create the folder: \(reason(error))"))
            }
        }
        // A changed file is replaced atomically (readers and a crash never see half a page;
        // no fsync: the next build rewrites a lost page).
        let failure = exists ? Files.replace(path, with: file.contents) : create(path, in: directory, with: file.contents)
        if failure != 0 {
            return .failure(GeneratorError(stage: .write, file: path, message: "cannot write: \(String(cString: strerror(failure)))"))
        }
        return .success(true)
    }

    /// A new file: created with `O_EXCL` and written in place (one directory operation;
    /// on ext4, `O_TMPFILE` measured slower because of its orphan-list journalling). A
    /// failed write removes the partial file. A file that appeared meanwhile is replaced.
    static func create(_ path: String, in directory: String, with contents: [UInt8]) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            return errno == EEXIST ? Files.replace(path, with: contents) : errno
        }
        var failure = Files.writeAll(descriptor, contents)
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure != 0 { unlink(path) }
        return failure
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

    /// Removes folders left empty by removed files, deepest first.
    func removeEmptyFolders(above removed: [String]) {
        var candidates = Set<String>()
        for path in removed {
            var folderPath = (path as NSString).deletingLastPathComponent
            while !folderPath.isEmpty {
                candidates.insert(folderPath)
                folderPath = (folderPath as NSString).deletingLastPathComponent
            }
        }
        for path in candidates.sorted(by: { $0.count > $1.count }) {
            rmdir(folder + "/" + path)  // fails, harmlessly, unless the folder is empty
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
