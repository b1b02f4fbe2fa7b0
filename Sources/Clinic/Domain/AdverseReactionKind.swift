/// Kind of adverse reaction after treatment.
public enum AdverseReactionKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Allergic reaction to pigment.
    case allergicReaction = "allergic-reaction"
    /// Infection.
    case infection = "infection"
    /// Pigment migration (blurring).
    case pigmentMigration = "pigment-migration"
    /// Blowout (dots spread under the skin).
    case blowout = "blowout"
    /// Keloid or raised scarring.
    case keloid = "keloid"
    /// Redness beyond the usual healing time.
    case prolongedRedness = "prolonged-redness"
    /// Anything else.
    case other = "other"
}
