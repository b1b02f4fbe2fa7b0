import Foundation

/// A healing check after a session or touch-up.
public struct HealingCheckRecorded: EventPayload {
    /// `client.healing-check-recorded`.
    public static let typeName = "client.healing-check-recorded"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The session checked.
    public var appointmentID: AppointmentID
    /// Days after the session.
    public var day: Int
    /// Overall finding.
    public var assessment: HealingAssessment
    /// Clinical notes (personal data).
    public var personal: MedicalNotes?
    /// What the client said about sun, sweating and swimming during the healing weeks (absent in older events).
    public var compliance: CareCompliance?

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, day: Int, assessment: HealingAssessment,
        personal: MedicalNotes? = nil, compliance: CareCompliance? = nil
    ) {
        self.compliance = compliance
        self.at = at
        self.appointmentID = appointmentID
        self.day = day
        self.assessment = assessment
        self.personal = personal
    }
}
