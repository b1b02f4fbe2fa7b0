import Foundation

/// The client acknowledged the pre-care or aftercare instructions given for an appointment.
public struct InstructionsAcknowledged: EventPayload {
    /// `client.instructions-acknowledged`.
    public static let typeName = "client.instructions-acknowledged"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment the instructions were given for.
    public var appointmentID: AppointmentID
    /// Pre-care or aftercare.
    public var kind: InstructionKind
    /// How.
    public var method: AcknowledgementMethod

    /// Creates the payload.
    public init(at: Date, appointmentID: AppointmentID, kind: InstructionKind, method: AcknowledgementMethod) {
        self.at = at
        self.appointmentID = appointmentID
        self.kind = kind
        self.method = method
    }
}
