/// Why a technician's reserved slot was released.
public enum SlotReleaseReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The appointment was cancelled.
    case cancelled = "cancelled"
    /// The client did not come.
    case noShow = "no-show"
    /// The appointment moved to another slot.
    case rescheduled = "rescheduled"
    /// The client was forgotten.
    case clientForgotten = "client-forgotten"
}
