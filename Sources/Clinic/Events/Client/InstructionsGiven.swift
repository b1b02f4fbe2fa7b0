import Foundation

/// Pre-care or aftercare instructions were given.
public struct InstructionsGiven: EventPayload {
    /// `client.instructions-given`.
    public static let typeName = "client.instructions-given"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Pre-care or aftercare.
    public var kind: InstructionKind
    /// Which instruction set.
    public var instructionSet: String
    /// Its version.
    public var instructionSetVersion: String
    /// How it was delivered.
    public var channel: DeliveryChannel

    /// Creates the payload.
    public init(
        at: Date, kind: InstructionKind, instructionSet: String, instructionSetVersion: String,
        channel: DeliveryChannel
    ) {
        self.at = at
        self.kind = kind
        self.instructionSet = instructionSet
        self.instructionSetVersion = instructionSetVersion
        self.channel = channel
    }
}
