/// What calibration learned about one client's own decay rate.
public struct FadeClientPosterior: Sendable, Codable, Equatable {
    /// The subject's id.
    public var id: String
    /// Observations used (after healing windows).
    public var observationCount: Int
    /// Posterior mean of log k (the client's log decay rate per year).
    public var logRate: Double
    /// Posterior standard deviation of log k given the population parameters.
    public var logRateSD: Double
    /// The client's own deviation b from the covariate prediction (posterior mode).
    public var ownEffect: Double
    /// How much the client's own observations count, 0 (all population) to 1 (all own data):
    /// 1 − posterior variance / τ².
    public var ownDataWeight: Double

    /// Creates a posterior summary.
    public init(
        id: String, observationCount: Int, logRate: Double, logRateSD: Double, ownEffect: Double,
        ownDataWeight: Double
    ) {
        self.id = id
        self.observationCount = observationCount
        self.logRate = logRate
        self.logRateSD = logRateSD
        self.ownEffect = ownEffect
        self.ownDataWeight = ownDataWeight
    }
}
