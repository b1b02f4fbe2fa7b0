import Foundation

/// A client complained about a result; a correction or removal may answer it.
public struct ComplaintRecorded: EventPayload {
    /// `client.complaint-recorded`.
    public static let typeName = "client.complaint-recorded"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The complaint, for a correction to refer to.
    public var complaintID: UUID
    /// What about.
    public var topic: ComplaintTopic
    /// The treatment complained about, if one.
    public var appointmentID: AppointmentID?
    /// The client's words (personal data, sealed with the client's key).
    public var personal: MedicalNotes?

    /// Creates the payload.
    public init(
        at: Date, complaintID: UUID, topic: ComplaintTopic, appointmentID: AppointmentID? = nil,
        personal: MedicalNotes? = nil
    ) {
        self.at = at
        self.complaintID = complaintID
        self.topic = topic
        self.appointmentID = appointmentID
        self.personal = personal
    }
}
