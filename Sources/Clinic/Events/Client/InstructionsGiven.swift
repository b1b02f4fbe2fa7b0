import Foundation

/// Pre-care or aftercare instructions were given: a version of one of the clinic's instruction sets, for an
/// appointment.
///
/// Version 2. Version 1 carried only a label ("SMP aftercare", "5") and no appointment; it is read with
/// `legacyLabel` set and the set, version and appointment unknown (`InstructionsGivenV1`).
public struct InstructionsGiven: EventPayload {
    /// `client.instructions-given`.
    public static let typeName = "client.instructions-given"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// Pre-care or aftercare.
    public var kind: InstructionKind
    /// Which instruction set (nil only in version 1 history).
    public var instructionSetID: InstructionSetID?
    /// Which version of it (nil only in version 1 history).
    public var instructionSetVersion: Int?
    /// The appointment they are for: the session they prepare for, or the treatment they follow (nil only in
    /// version 1 history).
    public var appointmentID: AppointmentID?
    /// How they were delivered.
    public var channel: DeliveryChannel
    /// Version 1's label, e.g. "SMP aftercare v5"; never written by new commands.
    public var legacyLabel: String?

    /// Creates the payload.
    public init(
        at: Date, kind: InstructionKind, instructionSetID: InstructionSetID?, instructionSetVersion: Int?,
        appointmentID: AppointmentID?, channel: DeliveryChannel, legacyLabel: String? = nil
    ) {
        self.at = at
        self.kind = kind
        self.instructionSetID = instructionSetID
        self.instructionSetVersion = instructionSetVersion
        self.appointmentID = appointmentID
        self.channel = channel
        self.legacyLabel = legacyLabel
    }
}
