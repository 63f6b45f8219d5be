import Foundation

/// Runs a delivery command (sendmail, the SMS command, curl) without a shell and with a
/// minimal environment, its input on stdin, and collects what it says.
enum Command {
    struct Result {
        /// Nil when it exited 0; otherwise why not ("exit 7: …", "cannot find …").
        var failure: String?
        var output: Data
        /// Whether it read the whole input.
        var readAll: Bool
    }

    /// - Parameter captureOutput: read stdout (curl's status code); otherwise it goes to
    ///   /dev/null, so that a sendmail whose background delivery keeps it open never holds
    ///   up the run.
    static func run(_ command: [String], input: Data, captureOutput: Bool = false) -> Result {
        guard let program = command.first, let executable = resolve(program) else {
            return Result(failure: "cannot find \(command.first ?? "the command")", output: Data(), readAll: false)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = captureOutput ? stdout : FileHandle.nullDevice
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            return Result(failure: "cannot start \(executable): \(error.localizedDescription)", output: Data(), readAll: false)
        }
        // A command that exits without reading its input closes the pipe: that is its
        // failure to report, not a SIGPIPE that ends this process.
        signal(SIGPIPE, SIG_IGN)
        var readAll = true
        do {
            try stdin.fileHandleForWriting.write(contentsOf: input)
        } catch {
            readAll = false
        }
        try? stdin.fileHandleForWriting.close()
        // stderr is read on another thread while this one reads stdout, so that neither
        // fills its pipe and stalls the command.
        final class Box: @unchecked Sendable { var data = Data() }
        let errorsBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorsBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let output = captureOutput ? stdout.fileHandleForReading.readDataToEndOfFile() : Data()
        group.wait()
        let errors = errorsBox.data
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = String(decoding: errors.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let how = process.terminationReason == .exit ? "exit \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
            return Result(failure: how + (detail.isEmpty ? "" : ": " + detail), output: output, readAll: readAll)
        }
        return Result(failure: nil, output: output, readAll: readAll)
    }

    /// `program` by path, or found in the usual folders.
    static func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for folder in ["/usr/sbin", "/usr/bin", "/bin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: folder + "/" + program) {
            return folder + "/" + program
        }
        return nil
    }
}
