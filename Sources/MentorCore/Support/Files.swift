#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and the process environment through plain POSIX calls. The booking CGI
/// reads a few small files on every request, and `FileManager`, `String(contentsOfFile:)`
/// and `ProcessInfo` cost more than the reading itself (measured: about a tenth of a request).
public enum Files {
    /// The bytes of a regular file, or nil when it is missing, unreadable or not a file.
    public static func bytes(at path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        // The size is a hint: the file may grow or shrink while it is read.
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: bytes.count) }
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            count += got
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// The UTF-8 text of a regular file; nil when missing, unreadable or not valid UTF-8.
    public static func readText(_ path: String) -> String? {
        guard let bytes = bytes(at: path) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The size of the file at `path`, or nil when there is none.
    public static func size(of path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// The size of the file at `path` relative to the open folder `directory` (no walk of
    /// the folder's own path on every call), or nil when there is none.
    public static func size(of path: String, in directory: Int32) -> Int? {
        var info = stat()
        return fstatat(directory, path, &info, 0) == 0 ? Int(info.st_size) : nil
    }

    /// True when something (file or folder) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The folder part of a path (`a/b/c.yml` → `a/b`, `c.yml` → ``, `/c` → `/`).
    public static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The process environment, read from `environ` (the first of a repeated name wins, as
    /// `getenv` does).
    public static func environment() -> [String: String] {
        environment(environ)
    }

    /// A `NAME=value` array ending in NULL (`environ`, a FastCGI request's parameters).
    public static func environment(_ environ: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> [String: String] {
        var count = 0
        while environ[count] != nil { count += 1 }
        // Sized once and filled from raw bytes: a CGI request starts with ~50 variables.
        var result = [String: String](minimumCapacity: count)
        for index in 0..<count {
            guard let pointer = environ[index] else { continue }
            let entry = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: entry[..<equals]), as: UTF8.self)
            if result[name] == nil { result[name] = String(decoding: UnsafeRawBufferPointer(rebasing: entry[(equals + 1)...]), as: UTF8.self) }
        }
        return result
    }

    /// Writes all of `bytes` to `descriptor`, again after a short write or an interrupted
    /// one; 0, or the `errno` of the failure.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { buffer -> Int32 in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                offset += written
            }
            return 0
        }
    }

    /// Replaces (or creates) the file at `path` atomically: `bytes` go to a temporary file
    /// beside it (`.name.tmp-PID`), which rename(2) then puts in its place, so readers and a
    /// crash never see half a file; the temporary file is removed on failure. No fsync.
    /// Returns 0, or the `errno` of the failure.
    @discardableResult
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) -> Int32 {
        let folder = folder(of: path)
        let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[path.utf8.index(after: $0)...]) } ?? path
        let temporary = (folder.isEmpty ? "" : folder == "/" ? "/" : folder + "/") + ".\(name).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return errno }
        var failure = writeAll(descriptor, bytes)
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 { unlink(temporary) }
        return failure
    }

    /// Writes `text` to the standard error (diagnostics of the CGI go there, never to the
    /// response), without Foundation's `FileHandle`.
    public static func writeStandardError(_ text: String) {
        if let errorSink {
            errorSink(Array(text.utf8))
        } else {
            writeAll(2, Array(text.utf8))
        }
    }

    /// Where diagnostics go instead of stderr while it is set: a FastCGI responder sends a
    /// request's diagnostics on that request's error stream, which the web server logs.
    /// Set and cleared around each request by the one thread that serves requests.
    nonisolated(unsafe) public static var errorSink: (([UInt8]) -> Void)?
}
