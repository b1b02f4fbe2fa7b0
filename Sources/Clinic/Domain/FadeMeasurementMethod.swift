/// How a fade (remaining pigment density) was measured.
public enum FadeMeasurementMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// Software analysis of a standardised photo.
    case photoAnalysis = "photo-analysis"
    /// A technician's visual estimate.
    case visualEstimate = "visual-estimate"
    /// Dermatoscope dot count against the design density.
    case dermatoscope = "dermatoscope"
}
