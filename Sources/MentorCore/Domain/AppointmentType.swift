/// Session kinds a mentor offers (the seed's appointment types).
public enum AppointmentType: String, CaseIterable, Sendable {
    case video, audio, chat

    public var label: String {
        switch self {
        case .video: "Video call"
        case .audio: "Audio call"
        case .chat: "Chat"
        }
    }
}
