/// Symmetry of the designed hairline.
public enum HairlineSymmetry: String, Hashable, Sendable, Codable, CaseIterable {
    /// Mirror-symmetric.
    case symmetric = "symmetric"
    /// Slightly asymmetric, as natural hairlines are.
    case naturallyAsymmetric = "naturally-asymmetric"
}
