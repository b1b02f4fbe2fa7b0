/// What an appointment is for.
public enum AppointmentKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A consultation.
    case consultation = "consultation"
    /// A session of the treatment course.
    case session = "session"
    /// A touch-up after the course.
    case touchUp = "touch-up"
    /// A correction or removal session.
    case correction = "correction"
}
