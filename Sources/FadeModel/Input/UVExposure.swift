/// Self-reported sun exposure of the scalp, as an ordered level.
public enum UVExposure: Int, Sendable, Codable, Equatable, Hashable, CaseIterable, Comparable {
    /// Mostly indoors or always covered.
    case low = 0
    /// Some time outdoors, sometimes covered.
    case moderate = 1
    /// Often outdoors uncovered.
    case high = 2
    /// Outdoor work or sport, rarely covered.
    case veryHigh = 3

    /// Orders levels from least to most exposure.
    public static func < (lhs: UVExposure, rhs: UVExposure) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A short phrase for driver explanations.
    var phrase: String {
        switch self {
        case .low: "low UV exposure"
        case .moderate: "moderate UV exposure"
        case .high: "high UV exposure"
        case .veryHigh: "very high UV exposure"
        }
    }
}
