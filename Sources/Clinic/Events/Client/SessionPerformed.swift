import Foundation

/// A course session was performed. `at` is when it started.
public struct SessionPerformed: EventPayload {
    /// `client.session-performed`.
    public static let typeName = "client.session-performed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The booked appointment.
    public var appointmentID: AppointmentID
    /// Number in the course.
    public var sessionNumber: Int
    /// Where.
    public var locationID: LocationID
    /// By whom.
    public var technicianID: TechnicianID
    /// What was done, with pigment batch and expiry.
    public var treatment: TreatmentRecord

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, sessionNumber: Int, locationID: LocationID,
        technicianID: TechnicianID, treatment: TreatmentRecord
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.sessionNumber = sessionNumber
        self.locationID = locationID
        self.technicianID = technicianID
        self.treatment = treatment
    }
}
