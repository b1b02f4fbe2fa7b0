/// A request to change a care instruction set's stream.
public enum CareCommand: Hashable, Sendable {
    /// Publish a set (version 1).
    case publish(InstructionSetPublished)
    /// Revise it (the next version).
    case revise(InstructionSetRevised)
}
