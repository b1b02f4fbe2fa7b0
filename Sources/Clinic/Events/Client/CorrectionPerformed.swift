import Foundation

/// A correction or removal session was performed: in-house at a booked appointment, or recorded from a partner
/// clinic (no appointment).
///
/// Version 2 adds `appointmentID` and `locationID` (the booking it performs). Version 1 events were recordings only
/// and are read with both nil (`CorrectionPerformedV1`).
public struct CorrectionPerformed: EventPayload {
    /// `client.correction-performed`.
    public static let typeName = "client.correction-performed"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// How.
    public var method: CorrectionMethod
    /// Number in the correction course.
    public var sessionNumber: Int
    /// Areas.
    public var areas: [ScalpArea]
    /// Who performed it (the studio or a partner clinic).
    public var provider: String
    /// The technician, when done in-house.
    public var technicianID: TechnicianID?
    /// The booked correction appointment it performs; nil for one done by a partner clinic.
    public var appointmentID: AppointmentID?
    /// Where, when done in-house.
    public var locationID: LocationID?

    /// Creates the payload.
    public init(
        at: Date, method: CorrectionMethod, sessionNumber: Int, areas: [ScalpArea], provider: String,
        technicianID: TechnicianID? = nil, appointmentID: AppointmentID? = nil, locationID: LocationID? = nil
    ) {
        self.at = at
        self.method = method
        self.sessionNumber = sessionNumber
        self.areas = areas
        self.provider = provider
        self.technicianID = technicianID
        self.appointmentID = appointmentID
        self.locationID = locationID
    }
}
