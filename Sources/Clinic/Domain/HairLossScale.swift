/// The classification scale used for a hair-loss stage.
public enum HairLossScale: String, Hashable, Sendable, Codable, CaseIterable {
    /// Hamilton–Norwood, stages 1–7 (male pattern).
    case norwood = "norwood"
    /// Ludwig, stages 1–3 (female pattern).
    case ludwig = "ludwig"
}
