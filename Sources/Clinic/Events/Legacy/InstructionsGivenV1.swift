import Foundation

/// `client.instructions-given` version 1: an opaque label and version text, no content, no appointment.
public struct InstructionsGivenV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    /// When they were given.
    public var at: Date
    /// Pre-care or aftercare.
    public var kind: InstructionKind
    /// The label, e.g. "SMP aftercare".
    public var instructionSet: String
    /// Its version text, e.g. "5".
    public var instructionSetVersion: String
    /// How they were delivered.
    public var channel: DeliveryChannel

    /// Keeps the label as written ("SMP aftercare v5"): what the client was told exists nowhere, so no set,
    /// version or appointment is made up.
    public func upcast() -> InstructionsGiven {
        let version = instructionSetVersion.trimmingCharacters(in: .whitespaces)
        let label = version.isEmpty ? instructionSet : "\(instructionSet) v\(version)"
        return InstructionsGiven(
            at: at, kind: kind, instructionSetID: nil, instructionSetVersion: nil, appointmentID: nil,
            channel: channel, legacyLabel: label)
    }
}
