/// A treated area of the scalp.
public enum ScalpArea: String, Hashable, Sendable, Codable, CaseIterable {
    /// The front hairline.
    case frontalHairline = "frontal-hairline"
    /// The temples.
    case temples = "temples"
    /// The mid scalp.
    case midScalp = "mid-scalp"
    /// The crown (vertex).
    case crown = "crown"
    /// A transplant donor scar (FUT strip or FUE dots).
    case donorScar = "donor-scar"
    /// The whole scalp (shaved look).
    case fullScalp = "full-scalp"
    /// Density added between existing hair.
    case diffuseThinning = "diffuse-thinning"
}
