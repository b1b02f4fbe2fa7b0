/// Fitzpatrick skin phototype, I (always burns) to VI (never burns); guides shade choice.
public enum FitzpatrickType: String, Hashable, Sendable, Codable, CaseIterable {
    /// Type I: very fair, always burns.
    case i = "I"
    /// Type II: fair, usually burns.
    case ii = "II"
    /// Type III: medium, sometimes burns.
    case iii = "III"
    /// Type IV: olive, rarely burns.
    case iv = "IV"
    /// Type V: brown, very rarely burns.
    case v = "V"
    /// Type VI: dark brown to black, never burns.
    case vi = "VI"
}
