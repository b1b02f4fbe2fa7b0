/// What a client complained about.
public enum ComplaintTopic: String, Hashable, Sendable, Codable, CaseIterable {
    /// Dots uneven in density or size.
    case unevenDensity = "uneven-density"
    /// The colour healed wrong (too dark, blue or green cast).
    case colour
    /// The hairline's shape or height.
    case hairlineShape = "hairline-shape"
    /// Pigment spread beyond the dots.
    case pigmentMigration = "pigment-migration"
    /// Anything else.
    case other
}
