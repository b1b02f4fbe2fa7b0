/// One reason a client's predicted touch-up differs from an average client's.
public struct FadeDriver: Sendable, Codable, Equatable {
    /// What the reason is about.
    public enum Source: Sendable, Codable, Equatable, Hashable {
        /// A covariate differing from the population average.
        case covariate(FadeFactor)
        /// The client's own follow-up observations differing from what the covariates predict.
        case ownObservations
    }

    /// What the reason is about.
    public var source: Source
    /// Days the crossing moves compared with an average client: negative is earlier.
    public var shiftDays: Double
    /// Plain words, e.g. "high UV exposure: about 9 months earlier than average".
    public var summary: String

    /// Creates a driver.
    public init(source: Source, shiftDays: Double, summary: String) {
        self.source = source
        self.shiftDays = shiftDays
        self.summary = summary
    }
}
