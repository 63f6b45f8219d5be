import MentorCore
import MentorStore

/// How a patient and a mentor meet: each session's join link, made when it is booked (the
/// mentor's own room, content key `meeting_url`, or a room of its own from
/// `meeting_url_pattern` with a random 22-character name nobody can guess), and what to do
/// with it. Shown only to the two of them: on the patient's confirmation, manage page and
/// sessions, in their mails and calendar files, and on the mentor's dashboard and feed.
enum Joining {
    /// The join link for a new session with `mentor`.
    static func link(for mentor: Mentor, pattern: String) -> String {
        if let own = mentor.profile.meetingURL { return own }
        let room = "mentorsite-" + RandomToken.generate(bytes: 16)
        // The pattern holds `{room}` once (checked when the configuration is read).
        let bytes = Array(pattern.utf8)
        let needle = Array("{room}".utf8)
        guard let at = bytes.indices.first(where: { bytes[$0...].starts(with: needle) }) else { return pattern + room }
        return String(decoding: bytes[..<at], as: UTF8.self) + room + String(decoding: bytes[(at + needle.count)...], as: UTF8.self)
    }

    /// What to do with the link, for this kind of session.
    static func how(_ type: AppointmentType) -> String {
        switch type {
        case .video: "Join the video call in your browser at the start time:"
        case .audio: "Join the call in your browser at the start time; it is audio only, so you may keep your camera off:"
        case .chat: "This is a written chat: at the start time, open the room below, keep your camera and microphone off, and write in its chat panel:"
        }
    }

    /// The link, when the session is one to join (booked, not held, cancelled or over).
    static func link(of appointment: Appointment) -> String? {
        appointment.status == .scheduled ? appointment.meetingLink : nil
    }
}
