/// The result of calibrating the fade model on a clinic's observations.
public struct FadeCalibration: Sendable, Codable, Equatable {
    /// The population parameters to predict with.
    public var parameters: FadeParameters
    /// Each subject's own-rate posterior (subjects without sessions are left out).
    public var clients: [FadeClientPosterior]
    /// Exponential versus Weibull, when both were fitted.
    public var comparison: FadeModelComparison?
    /// Observations used in the fit.
    public var usedObservations: Int
    /// Observations left out because they fell inside a course or a healing window.
    public var skippedObservations: Int
    /// Whether the optimiser met its tolerance; if false the estimates are usable but approximate.
    public var converged: Bool
}
