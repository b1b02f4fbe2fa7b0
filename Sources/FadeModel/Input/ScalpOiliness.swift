/// How oily the client's scalp is, as an ordered level.
public enum ScalpOiliness: Int, Sendable, Codable, Equatable, Hashable, CaseIterable, Comparable {
    /// Dry scalp.
    case dry = 0
    /// Normal scalp.
    case normal = 1
    /// Oily scalp.
    case oily = 2
    /// Very oily scalp.
    case veryOily = 3

    /// Orders levels from dry to very oily.
    public static func < (lhs: ScalpOiliness, rhs: ScalpOiliness) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A short phrase for driver explanations.
    var phrase: String {
        switch self {
        case .dry: "dry scalp"
        case .normal: "normal scalp"
        case .oily: "oily scalp"
        case .veryOily: "very oily scalp"
        }
    }
}
