import Foundation

/// A booked consultation moved to another slot (and possibly technician).
public struct ConsultationRescheduled: EventPayload {
    /// `client.consultation-rescheduled`.
    public static let typeName = "client.consultation-rescheduled"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// The new slot.
    public var slot: TimeSlot
    /// The new location.
    public var locationID: LocationID
    /// The new technician.
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
