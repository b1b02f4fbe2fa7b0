import Foundation

/// A reserved slot was released (cancelled, no-show, rescheduled, client forgotten).
public struct SlotReleased: EventPayload {
    /// `technician.slot-released`.
    public static let typeName = "technician.slot-released"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// Why.
    public var reason: SlotReleaseReason

    /// Creates the payload.
    public init(at: Date, appointmentID: AppointmentID, reason: SlotReleaseReason) {
        self.at = at
        self.appointmentID = appointmentID
        self.reason = reason
    }
}
