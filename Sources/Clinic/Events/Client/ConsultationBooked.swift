import Foundation

/// A consultation was booked; the technician's slot is reserved on the technician stream in the same append.
public struct ConsultationBooked: EventPayload {
    /// `client.consultation-booked`.
    public static let typeName = "client.consultation-booked"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// When.
    public var slot: TimeSlot
    /// Where.
    public var locationID: LocationID
    /// With whom.
    public var technicianID: TechnicianID

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, slot: TimeSlot, locationID: LocationID, technicianID: TechnicianID
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.slot = slot
        self.locationID = locationID
        self.technicianID = technicianID
    }
}
