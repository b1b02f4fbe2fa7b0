import Foundation

/// Instructions of one kind given for an appointment, as the client stream knows them.
public struct GivenInstructions: Hashable, Sendable {
    /// When they were (last) given.
    public var givenAt: Date
    /// The set and version.
    public var instructionSetID: InstructionSetID
    /// The version.
    public var version: Int
    /// When the client acknowledged them.
    public var acknowledgedAt: Date?
}
