/// The shape of a designed hairline.
public enum HairlineShape: String, Hashable, Sendable, Codable, CaseIterable {
    /// A straight, youthful line.
    case straight = "straight"
    /// A rounded line.
    case rounded = "rounded"
    /// A widow's peak.
    case widowsPeak = "widows-peak"
    /// A receded, age-appropriate line.
    case mature = "mature"
    /// No hairline (density only).
    case none = "none"
}
