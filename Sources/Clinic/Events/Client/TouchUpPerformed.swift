import Foundation

/// A touch-up was performed. `at` is when it started.
public struct TouchUpPerformed: EventPayload {
    /// `client.touch-up-performed`.
    public static let typeName = "client.touch-up-performed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The booked appointment.
    public var appointmentID: AppointmentID
    /// Where.
    public var locationID: LocationID
    /// By whom.
    public var technicianID: TechnicianID
    /// What was done.
    public var treatment: TreatmentRecord

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, locationID: LocationID, technicianID: TechnicianID,
        treatment: TreatmentRecord
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.locationID = locationID
        self.technicianID = technicianID
        self.treatment = treatment
    }
}
