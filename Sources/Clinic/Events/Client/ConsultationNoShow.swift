import Foundation

/// The client did not come to a booked consultation.
public struct ConsultationNoShow: EventPayload {
    /// `client.consultation-no-show`.
    public static let typeName = "client.consultation-no-show"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID

    /// Creates the payload.
    public init(at: Date, appointmentID: AppointmentID) {
        self.at = at
        self.appointmentID = appointmentID
    }
}
