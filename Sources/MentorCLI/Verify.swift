import Foundation
import MentorCore
import MentorStore

/// `mentorsite verify SLUG --note TEXT` and `mentorsite unverify SLUG --note TEXT`.
public enum VerifyCommand {
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags, slug: String, verified: Bool, note: String?, history: Bool) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let database = try MentorDatabase(path: config.database, create: false)
        if history {
            let records = try database.verificationHistory(slug: slug)
            if records.isEmpty { context.say("\(slug): never verified") }
            for record in records { context.say("\(record.at)  \(record.action)  \(record.actor)  \(record.note)") }
            return 0
        }
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            throw CommandError(verified ? "--note must say what was checked (e.g. \"licence PSY-123 checked with the state board\")" : "--note must say why the verification is withdrawn")
        }
        guard note.count <= 500, !note.contains(where: { $0.isNewline }) else { throw CommandError("--note must be one line of at most 500 characters") }
        database.webhookEndpoints = config.webhookURLs
        guard let mentor = try database.setVerified(slug: slug, verified, note: note, actor: PatientCommand.actor(context), now: try context.now()) else {
            throw CommandError("no listed mentor has the slug \(slug)")
        }
        context.say(verified ? "\(mentor.profile.name) is verified (\(Timestamp.datePart(mentor.verifiedAt ?? ""))); the profile shows it after the next `mentorsite publish` or build"
                             : "\(mentor.profile.name) is no longer shown as verified after the next `mentorsite publish` or build")
        return 0
    }
}
