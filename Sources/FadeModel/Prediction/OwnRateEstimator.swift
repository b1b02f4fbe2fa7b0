import Foundation

/// The empirical-Bayes posterior of one client's log decay rate η given the population parameters.
///
/// Prior η ~ Normal(μ, τ²); observations y ~ Normal(D(t; η, γ), σ²). The mode is found by a grid
/// over μ ± 6τ (so the global mode is taken, which keeps predictions monotone in μ) refined by
/// Gauss–Newton; the variance is the inverse Gauss–Newton curvature (Laplace approximation).
enum OwnRateEstimator {
    /// Posterior mode and variance of η.
    static func posterior(
        mean mu: Double, sd tau: Double, gamma: Double, sigma: Double, points: [(years: Double, density: Double)]
    ) -> (mode: Double, variance: Double) {
        let t2 = tau * tau
        guard !points.isEmpty else { return (mu, t2) }
        let s2 = sigma * sigma
        let logTs = points.map { log($0.years) }
        func objective(_ eta: Double) -> Double {
            var total = (eta - mu) * (eta - mu) / (2 * t2)
            for (j, point) in points.enumerated() {
                let r = point.density - DecayCurve.evaluate(eta: eta, logT: logTs[j], gamma: gamma).d
                total += r * r / (2 * s2)
            }
            return total
        }
        func derivatives(_ eta: Double) -> (gradient: Double, curvature: Double) {
            var gradient = (eta - mu) / t2
            var curvature = 1 / t2
            for (j, point) in points.enumerated() {
                let e = DecayCurve.evaluate(eta: eta, logT: logTs[j], gamma: gamma)
                gradient -= e.dEta * (point.density - e.d) / s2
                curvature += e.dEta * e.dEta / s2
            }
            return (gradient, curvature)
        }
        var best = mu
        var bestValue = objective(mu)
        for step in -24...24 {
            let eta = mu + Double(step) * tau / 4
            let value = objective(eta)
            if value < bestValue {
                best = eta
                bestValue = value
            }
        }
        for _ in 0..<60 {
            let d = derivatives(best)
            var move = -d.gradient / d.curvature
            var accepted = false
            for _ in 0..<30 {
                let candidate = best + move
                let value = objective(candidate)
                if value.isFinite, value <= bestValue {
                    accepted = abs(move) > 1e-10
                    best = candidate
                    bestValue = value
                    break
                }
                move /= 2
            }
            if !accepted { break }
        }
        return (best, 1 / derivatives(best).curvature)
    }
}
