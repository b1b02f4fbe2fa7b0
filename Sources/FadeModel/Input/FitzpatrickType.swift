/// Fitzpatrick skin phototype, I (always burns) to VI (never burns).
public enum FitzpatrickType: Int, Sendable, Codable, Equatable, Hashable, CaseIterable, Comparable {
    /// Type I.
    case i = 1
    /// Type II.
    case ii = 2
    /// Type III.
    case iii = 3
    /// Type IV.
    case iv = 4
    /// Type V.
    case v = 5
    /// Type VI.
    case vi = 6

    /// Orders types from I to VI.
    public static func < (lhs: FitzpatrickType, rhs: FitzpatrickType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The roman numeral, for explanations.
    var numeral: String { ["I", "II", "III", "IV", "V", "VI"][rawValue - 1] }
}
