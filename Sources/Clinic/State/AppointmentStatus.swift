/// Where an appointment stands.
public enum AppointmentStatus: String, Hashable, Sendable, Codable {
    /// Booked and not yet happened.
    case booked
    /// Cancelled.
    case cancelled
    /// The client did not come.
    case noShow = "no-show"
    /// Held (consultation) or performed (session, touch-up).
    case completed

    /// True when the appointment still counts: booked, or held/performed.
    public var isBookedOrCompleted: Bool { self == .booked || self == .completed }
}
