import Foundation

/// A booked consultation was cancelled.
public struct ConsultationCancelled: EventPayload {
    /// `client.consultation-cancelled`.
    public static let typeName = "client.consultation-cancelled"
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
