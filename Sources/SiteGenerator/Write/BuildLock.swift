import Foundation
import Glibc

/// One build at a time per site: an exclusive `flock(2)` on `.mentorsite/build.lock`, held
/// until `release` (or the process ends, when the kernel drops it). A second build waits
/// for the first. Where the folder cannot be written the build goes ahead unlocked, as
/// builds did before there was a lock.
struct BuildLock {
    private let descriptor: Int32

    init(folder: String) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        descriptor = open(folder + "/build.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    func release() {
        if descriptor >= 0 { close(descriptor) }
    }
}
