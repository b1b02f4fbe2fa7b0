import Foundation

/// A booked session or touch-up was cancelled; the technician's slot is released.
public struct SessionCancelled: EventPayload {
    /// `client.session-cancelled`.
    public static let typeName = "client.session-cancelled"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// Who cancelled.
    public var cancelledBy: CancelledBy
    /// Why.
    public var reason: String?

    /// Creates the payload.
    public init(at: Date, appointmentID: AppointmentID, cancelledBy: CancelledBy, reason: String? = nil) {
        self.at = at
        self.appointmentID = appointmentID
        self.cancelledBy = cancelledBy
        self.reason = reason
    }
}
