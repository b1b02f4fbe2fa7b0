/// The shape of the decay curve after the healed baseline.
public enum FadeForm: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    /// D(t) = exp(−k·t): a constant fading rate.
    case exponential
    /// D(t) = exp(−(k·t)^γ): with γ < 1 fading slows down as time passes.
    case weibull
}
