import ArgumentParser
import Foundation
import MentorCLI

// `mentorsite`: parses arguments and calls one MentorCLI function per command; a failure
// is printed once to stderr with a non-zero exit.

@main
struct MentorSite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mentorsite",
        abstract: "Builds the mentor directory site and serves its booking.",
        discussion: "Settings come from mentorsite.yml in the current folder (or --config, or MENTORSITE_CONFIG); flags override them.",
        subcommands: [Import.self, Export.self, Build.self, Publish.self, Serve.self, Check.self, Appointments.self, Mail.self, Webhooks.self, Backup.self, Patient.self, Verify.self, Unverify.self, Report.self, Doctor.self])
}

/// Runs a command body: its errors are printed once, as `error: …`, and exit 1.
func perform(_ body: (CommandContext) throws -> Int32) throws {
    let context = CommandContext()
    let status: Int32
    do {
        status = try body(context)
    } catch {
        context.warn("error: \(error)")
        throw ExitCode(1)
    }
    if status != 0 { throw ExitCode(status) }
}

/// `--config`, every command's.
struct ConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp("Site configuration file.", valueName: "FILE")) var config: String?
}
