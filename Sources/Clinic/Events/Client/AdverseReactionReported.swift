import Foundation

/// An adverse reaction was reported; the batch links it to pigment traceability.
public struct AdverseReactionReported: EventPayload {
    /// `client.adverse-reaction-reported`.
    public static let typeName = "client.adverse-reaction-reported"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Kind.
    public var kind: AdverseReactionKind
    /// Severity.
    public var severity: Severity
    /// The session suspected.
    public var appointmentID: AppointmentID?
    /// The batch suspected.
    public var pigmentBatch: PigmentBatchNumber?
    /// Notes (personal data).
    public var personal: MedicalNotes?
    /// The reaction, for a correction to refer to (absent in events written before corrections were booked).
    public var reactionID: UUID?

    /// Creates the payload.
    public init(
        at: Date, kind: AdverseReactionKind, severity: Severity, appointmentID: AppointmentID? = nil,
        pigmentBatch: PigmentBatchNumber? = nil, personal: MedicalNotes? = nil, reactionID: UUID? = nil
    ) {
        self.reactionID = reactionID
        self.at = at
        self.kind = kind
        self.severity = severity
        self.appointmentID = appointmentID
        self.pigmentBatch = pigmentBatch
        self.personal = personal
    }
}
