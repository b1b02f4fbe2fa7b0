/// The overall finding of a healing check.
public enum HealingAssessment: String, Hashable, Sendable, Codable, CaseIterable {
    /// Healing as expected.
    case normal = "normal"
    /// Redness lasting longer than expected.
    case prolongedRedness = "prolonged-redness"
    /// Heavy scabbing.
    case excessiveScabbing = "excessive-scabbing"
    /// Signs of infection.
    case infectionSuspected = "infection-suspected"
    /// Dots spreading.
    case pigmentMigration = "pigment-migration"
}
