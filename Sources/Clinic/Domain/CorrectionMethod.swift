/// How an unwanted result was corrected or removed.
public enum CorrectionMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// A laser removal session (Q-switched or picosecond).
    case laserRemoval = "laser-removal"
    /// Saline lightening.
    case salineRemoval = "saline-removal"
    /// Corrective re-pigmentation or blending.
    case pigmentCorrection = "pigment-correction"

    /// True for methods that take pigment out (laser, saline): the client is no longer one to touch up.
    public var removesPigment: Bool { self != .pigmentCorrection }
}
