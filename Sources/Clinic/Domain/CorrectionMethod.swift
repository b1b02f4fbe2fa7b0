/// How an unwanted result was corrected or removed.
public enum CorrectionMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// A laser removal session (Q-switched or picosecond).
    case laserRemoval = "laser-removal"
    /// Saline lightening.
    case salineRemoval = "saline-removal"
    /// Corrective re-pigmentation or blending.
    case pigmentCorrection = "pigment-correction"
}
