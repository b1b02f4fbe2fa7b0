/// Severity of an adverse reaction.
public enum Severity: String, Hashable, Sendable, Codable, CaseIterable {
    /// Mild.
    case mild = "mild"
    /// Moderate.
    case moderate = "moderate"
    /// Severe; needs medical attention.
    case severe = "severe"
}
