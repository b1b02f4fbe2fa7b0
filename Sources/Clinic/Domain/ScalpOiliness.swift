/// How oily the scalp is; oily scalps blur dots and fade faster.
public enum ScalpOiliness: String, Hashable, Sendable, Codable, CaseIterable {
    /// Dry scalp.
    case dry = "dry"
    /// Normal scalp.
    case normal = "normal"
    /// Oily scalp.
    case oily = "oily"
    /// Very oily scalp.
    case veryOily = "very-oily"
}
