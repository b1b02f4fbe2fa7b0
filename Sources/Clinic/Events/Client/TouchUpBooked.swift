import Foundation

/// A touch-up was booked after the course; the technician's slot is reserved in the same append.
public struct TouchUpBooked: EventPayload {
    /// `client.touch-up-booked`.
    public static let typeName = "client.touch-up-booked"
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
    /// Price quoted.
    public var quotedPrice: Money
    /// Override of a blocking contraindication, if any.
    public var contraindicationOverride: ContraindicationOverride?

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, slot: TimeSlot, locationID: LocationID, technicianID: TechnicianID,
        quotedPrice: Money, contraindicationOverride: ContraindicationOverride? = nil
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.slot = slot
        self.locationID = locationID
        self.technicianID = technicianID
        self.quotedPrice = quotedPrice
        self.contraindicationOverride = contraindicationOverride
    }
}
