/// Which kind of care instructions were given.
public enum InstructionKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Before a session.
    case preCare = "pre-care"
    /// After a session.
    case aftercare = "aftercare"
}
