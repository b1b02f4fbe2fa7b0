/// Self-reported sun (UV) exposure since the last observation.
public enum UVExposure: String, Hashable, Sendable, Codable, CaseIterable {
    /// Mostly covered or indoors.
    case low = "low"
    /// Some sun, sometimes protected.
    case moderate = "moderate"
    /// Frequent unprotected sun.
    case high = "high"
}
