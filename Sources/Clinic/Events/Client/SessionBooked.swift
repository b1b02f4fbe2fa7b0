import Foundation

/// A course session was booked; the technician's slot is reserved in the same append.
public struct SessionBooked: EventPayload {
    /// `client.session-booked`.
    public static let typeName = "client.session-booked"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// 1-based number in the course.
    public var sessionNumber: Int
    /// When.
    public var slot: TimeSlot
    /// Where.
    public var locationID: LocationID
    /// With whom.
    public var technicianID: TechnicianID
    /// Override of a blocking contraindication, if any.
    public var contraindicationOverride: ContraindicationOverride?

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, sessionNumber: Int, slot: TimeSlot, locationID: LocationID,
        technicianID: TechnicianID, contraindicationOverride: ContraindicationOverride? = nil
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.sessionNumber = sessionNumber
        self.slot = slot
        self.locationID = locationID
        self.technicianID = technicianID
        self.contraindicationOverride = contraindicationOverride
    }
}
