import Foundation

/// The client did not come to a booked session or touch-up; the technician's slot is released.
public struct SessionNoShow: EventPayload {
    /// `client.session-no-show`.
    public static let typeName = "client.session-no-show"
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
