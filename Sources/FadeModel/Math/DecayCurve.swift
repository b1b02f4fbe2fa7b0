import Foundation

/// The decay curve D = exp(−(k·t)^γ) and its derivatives in log k (η) and log γ (c).
enum DecayCurve {
    /// Density, ∂D/∂η and ∂D/∂c at log-time `logT` for log-rate `eta` and shape `gamma`.
    @inline(__always)
    static func evaluate(eta: Double, logT: Double, gamma: Double) -> (d: Double, dEta: Double, dC: Double) {
        let lkt = eta + logT
        let exponent = gamma * lkt
        if exponent > 6.5 { return (0, 0, 0) }  // u > 665: density underflows to 0, gradient vanishes
        let u = exp(exponent)
        let d = exp(-u)
        let dEta = -d * u * gamma
        return (d, dEta, dEta * lkt)
    }

    /// Density after `years` of decay for log-rate `eta` and shape `gamma` (1.0 at t ≤ 0).
    static func density(years: Double, eta: Double, gamma: Double) -> Double {
        guard years > 0 else { return 1 }
        return evaluate(eta: eta, logT: log(years), gamma: gamma).d
    }

    /// log of the years until density falls to `threshold`: (1/γ)·ln(−ln θ) − η.
    static func logCrossingYears(threshold: Double, eta: Double, gamma: Double) -> Double {
        log(-log(threshold)) / gamma - eta
    }
}
