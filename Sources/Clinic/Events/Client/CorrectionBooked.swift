import Foundation

/// A correction or removal session was booked in-house; the technician's slot is reserved in the same append.
public struct CorrectionBooked: EventPayload {
    /// `client.correction-booked`.
    public static let typeName = "client.correction-booked"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// How: laser removal, saline removal, pigment correction.
    public var method: CorrectionMethod
    /// Number in the correction course (removals take several sessions).
    public var sessionNumber: Int
    /// When.
    public var slot: TimeSlot
    /// Where.
    public var locationID: LocationID
    /// With whom.
    public var technicianID: TechnicianID
    /// Price quoted; earned when performed.
    public var quotedPrice: Money
    /// The adverse reaction or complaint it answers, or the client's request.
    public var cause: CorrectionCause
    /// Override of a blocking contraindication, if any.
    public var contraindicationOverride: ContraindicationOverride?

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, method: CorrectionMethod, sessionNumber: Int, slot: TimeSlot,
        locationID: LocationID, technicianID: TechnicianID, quotedPrice: Money, cause: CorrectionCause,
        contraindicationOverride: ContraindicationOverride? = nil
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.method = method
        self.sessionNumber = sessionNumber
        self.slot = slot
        self.locationID = locationID
        self.technicianID = technicianID
        self.quotedPrice = quotedPrice
        self.cause = cause
        self.contraindicationOverride = contraindicationOverride
    }
}
