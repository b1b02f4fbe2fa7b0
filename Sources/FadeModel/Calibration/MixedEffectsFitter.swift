import Foundation

/// Observations arranged for the mixed-effects fit: clients with centred features.
struct FitData: Sendable {
    /// Centred covariates per client, in ``FadeFactor`` order.
    var features: [[Double]] = []
    /// Client i's observations are `offsets[i]..<offsets[i + 1]`.
    var offsets: [Int] = [0]
    /// log(years since decay start) per observation.
    var logT: [Double] = []
    /// Observed density per observation.
    var y: [Double] = []

    /// Adds a client with its centred features and (years, density) observations.
    mutating func append(features z: [Double], observations: [(years: Double, density: Double)]) {
        features.append(z)
        for o in observations {
            logT.append(log(o.years))
            y.append(o.density)
        }
        offsets.append(y.count)
    }

    /// The number of clients.
    var clientCount: Int { features.count }
    /// The number of observations.
    var observationCount: Int { y.count }
}

/// The prior the fit shrinks toward: Normal on the fixed effects, pseudo-observations on τ and σ.
struct FitPrior: Sendable {
    /// Prior means of (log k0, β…, log γ).
    var mean: [Double]
    /// Prior precisions (1/variance) of the same.
    var precision: [Double]
    /// Prior guess of τ, worth `pseudoCount` clients.
    var tau: Double
    /// Prior guess of σ, worth `pseudoCount` observations.
    var sigma: Double
    /// Weight of the τ and σ guesses.
    var pseudoCount: Double = 2
}

/// The result of one mixed-effects fit.
struct MixedFit: Sendable {
    /// Fixed effects (log k0, β in factor order, log γ); log γ is 0 for the exponential form.
    var phi: [Double]
    /// Each client's random effect b (posterior mode).
    var b: [Double]
    /// Posterior variance of each b given the fixed effects.
    var posteriorVariance: [Double]
    /// Between-client standard deviation τ.
    var tau: Double
    /// Observation standard deviation σ.
    var sigma: Double
    /// Approximate posterior covariance of `phi` (11×11; zero row and column for log γ if exponential).
    var covariance: [[Double]]
    /// Laplace-approximate marginal log-likelihood of the observations.
    var logLikelihood: Double
    /// Number of estimated parameters: fixed effects plus τ and σ.
    var parameterCount: Int
    /// Whether the outer (variance) loop met its tolerance.
    var converged: Bool
}

/// Fits the nonlinear mixed-effects model by penalised Levenberg–Marquardt on (fixed, random) effects
/// with the random effects eliminated by a Schur complement, alternating with EM updates of τ² and σ²
/// (a Laplace / first-order-conditional approximation, as in Lindstrom–Bates).
struct MixedEffectsFitter: Sendable {
    let data: FitData
    let weibull: Bool
    let prior: FitPrior
    /// Indices in phi held ≥ 0.
    let nonNegative: [Int]

    /// The position of log γ in phi, after log k0 and the effects.
    static let shapeIndex = FactorValues.count + 1

    /// The number of fixed effects estimated.
    var p: Int { weibull ? Self.shapeIndex + 1 : Self.shapeIndex }

    /// Sufficient per-client sums for one evaluation.
    private struct Sums {
        var sEE: [Double]
        var sEC: [Double]
        var sCC: [Double]
        var sER: [Double]
        var sCR: [Double]
        var rss: [Double]
    }

    /// Lower and upper bounds of log γ.
    private static let logShapeRange = log(0.15)...log(4.0)

    /// Runs the fit from the prior means.
    func fit() -> MixedFit {
        let n = data.clientCount
        var phi = prior.mean
        if !weibull { phi[Self.shapeIndex] = 0 }
        var b = Array(repeating: 0.0, count: n)
        var tau = prior.tau
        var sigma = prior.sigma
        var converged = false
        var lambda = 1e-3
        for _ in 0..<400 {
            innerSolve(phi: &phi, b: &b, tau: tau, sigma: sigma, lambda: &lambda)
            let sums = evaluate(phi: phi, b: b, withDerivatives: true)
            let s2 = sigma * sigma
            let t2 = tau * tau
            var sumB = 0.0
            var sumRSS = 0.0
            for i in 0..<n {
                let v = 1 / (sums.sEE[i] / s2 + 1 / t2)
                sumB += b[i] * b[i] + v
                sumRSS += sums.rss[i] + v * sums.sEE[i]
            }
            let newTau = ((sumB + prior.pseudoCount * prior.tau * prior.tau) / (Double(n) + prior.pseudoCount))
                .squareRoot()
            let newSigma =
                ((sumRSS + prior.pseudoCount * prior.sigma * prior.sigma)
                / (Double(data.observationCount) + prior.pseudoCount)).squareRoot()
            let change = max(abs(log(newTau / tau)), abs(log(newSigma / sigma)))
            tau = min(max(newTau, 1e-3), 5)
            sigma = min(max(newSigma, 1e-4), 1)
            if change < 1e-5 {
                converged = true
                innerSolve(phi: &phi, b: &b, tau: tau, sigma: sigma, lambda: &lambda)
                break
            }
        }
        return summarise(phi: phi, b: b, tau: tau, sigma: sigma, converged: converged)
    }

    /// Levenberg–Marquardt on (phi, b) for fixed τ and σ, until the objective stops falling.
    private func innerSolve(phi: inout [Double], b: inout [Double], tau: Double, sigma: Double, lambda: inout Double) {
        var current = objective(phi: phi, b: b, tau: tau, sigma: sigma)
        for _ in 0..<100 {
            let sums = evaluate(phi: phi, b: b, withDerivatives: true)
            var improved = false
            for _ in 0..<12 {
                guard let step = step(phi: phi, b: b, sums: sums, tau: tau, sigma: sigma, lambda: lambda) else {
                    lambda *= 10
                    continue
                }
                let candidate = objective(phi: step.phi, b: step.b, tau: tau, sigma: sigma)
                if candidate.isFinite, candidate <= current {
                    let gain = current - candidate
                    phi = step.phi
                    b = step.b
                    current = candidate
                    lambda = max(lambda / 3, 1e-9)
                    improved = gain > 1e-10 * (1 + abs(current))
                    break
                }
                lambda *= 5
            }
            if !improved { return }
        }
    }

    /// One damped Gauss–Newton step, eliminating the random effects through the Schur complement.
    private func step(
        phi: [Double], b: [Double], sums: Sums, tau: Double, sigma: Double, lambda: Double
    ) -> (phi: [Double], b: [Double])? {
        let system = normalEquations(phi: phi, b: b, sums: sums, tau: tau, sigma: sigma, lambda: lambda)
        guard let l = LinearAlgebra.cholesky(system.schur) else { return nil }
        let delta = LinearAlgebra.solve(cholesky: l, system.rhs)
        guard delta.allSatisfy(\.isFinite) else { return nil }
        var newPhi = phi
        for m in 0..<p { newPhi[m] += delta[m] }
        for m in nonNegative { newPhi[m] = max(0, newPhi[m]) }
        if weibull {
            let k = Self.shapeIndex
            newPhi[k] = min(max(newPhi[k], Self.logShapeRange.lowerBound), Self.logShapeRange.upperBound)
        }
        var newB = b
        for i in 0..<data.clientCount {
            var coupling = 0.0
            for m in 0..<p { coupling += system.couplings[i][m] * delta[m] }
            newB[i] += (system.gradients[i] - coupling) / system.curvatures[i]
        }
        return (newPhi, newB)
    }

    /// The reduced normal equations (Schur complement) and the per-client blocks.
    private func normalEquations(
        phi: [Double], b: [Double], sums: Sums, tau: Double, sigma: Double, lambda: Double
    ) -> (schur: [[Double]], rhs: [Double], couplings: [[Double]], curvatures: [Double], gradients: [Double]) {
        let p = self.p
        let s2 = sigma * sigma
        let t2 = tau * tau
        var a = Array(repeating: Array(repeating: 0.0, count: p), count: p)
        var g = Array(repeating: 0.0, count: p)
        var couplings: [[Double]] = []
        var curvatures: [Double] = []
        var gradients: [Double] = []
        couplings.reserveCapacity(data.clientCount)
        for i in 0..<data.clientCount {
            let x = [1] + data.features[i]
            let ee = sums.sEE[i] / s2
            let ec = sums.sEC[i] / s2
            var coupling = Array(repeating: 0.0, count: p)
            let k = Self.shapeIndex
            for r in 0..<k {
                coupling[r] = ee * x[r]
                g[r] += sums.sER[i] / s2 * x[r]
                for c in 0...r { a[r][c] += ee * x[r] * x[c] }
            }
            if weibull {
                coupling[k] = ec
                g[k] += sums.sCR[i] / s2
                for c in 0..<k { a[k][c] += ec * x[c] }
                a[k][k] += sums.sCC[i] / s2
            }
            let h = (ee + 1 / t2) * (1 + lambda)
            couplings.append(coupling)
            curvatures.append(h)
            gradients.append(sums.sER[i] / s2 - b[i] / t2)
        }
        for m in 0..<p {
            a[m][m] += prior.precision[m]
            g[m] -= prior.precision[m] * (phi[m] - prior.mean[m])
        }
        for r in 0..<p {
            for c in 0..<r { a[c][r] = a[r][c] }
            a[r][r] *= 1 + lambda
        }
        var schur = a
        var rhs = g
        for i in 0..<data.clientCount {
            let coupling = couplings[i]
            let inv = 1 / curvatures[i]
            for r in 0..<p where coupling[r] != 0 {
                rhs[r] -= coupling[r] * gradients[i] * inv
                for c in 0..<p { schur[r][c] -= coupling[r] * coupling[c] * inv }
            }
        }
        return (schur, rhs, couplings, curvatures, gradients)
    }

    /// Per-client sums of residuals and derivatives.
    private func evaluate(phi: [Double], b: [Double], withDerivatives: Bool) -> Sums {
        let n = data.clientCount
        var sums = Sums(
            sEE: Array(repeating: 0, count: n), sEC: Array(repeating: 0, count: n),
            sCC: Array(repeating: 0, count: n), sER: Array(repeating: 0, count: n),
            sCR: Array(repeating: 0, count: n), rss: Array(repeating: 0, count: n)
        )
        let gamma = weibull ? exp(phi[Self.shapeIndex]) : 1
        for i in 0..<n {
            let z = data.features[i]
            var eta = phi[0] + b[i]
            for f in 0..<z.count { eta += phi[f + 1] * z[f] }
            var ee = 0.0, ec = 0.0, cc = 0.0, er = 0.0, cr = 0.0, rss = 0.0
            for j in data.offsets[i]..<data.offsets[i + 1] {
                let e = DecayCurve.evaluate(eta: eta, logT: data.logT[j], gamma: gamma)
                let r = data.y[j] - e.d
                rss += r * r
                if withDerivatives {
                    ee += e.dEta * e.dEta
                    ec += e.dEta * e.dC
                    cc += e.dC * e.dC
                    er += e.dEta * r
                    cr += e.dC * r
                }
            }
            sums.sEE[i] = ee
            sums.sEC[i] = ec
            sums.sCC[i] = cc
            sums.sER[i] = er
            sums.sCR[i] = cr
            sums.rss[i] = rss
        }
        return sums
    }

    /// The penalised objective: −log posterior up to constants, for fixed τ and σ.
    private func objective(phi: [Double], b: [Double], tau: Double, sigma: Double) -> Double {
        let sums = evaluate(phi: phi, b: b, withDerivatives: false)
        var total = sums.rss.reduce(0, +) / (2 * sigma * sigma)
        total += b.reduce(0) { $0 + $1 * $1 } / (2 * tau * tau)
        for m in 0..<p {
            let d = phi[m] - prior.mean[m]
            total += 0.5 * prior.precision[m] * d * d
        }
        return total
    }

    /// Posterior variances, the fixed-effect covariance and the Laplace log-likelihood at the optimum.
    private func summarise(phi: [Double], b: [Double], tau: Double, sigma: Double, converged: Bool) -> MixedFit {
        let sums = evaluate(phi: phi, b: b, withDerivatives: true)
        let s2 = sigma * sigma
        let t2 = tau * tau
        var logLikelihood = 0.0
        var variances: [Double] = []
        for i in 0..<data.clientCount {
            let h = sums.sEE[i] / s2 + 1 / t2
            let count = Double(data.offsets[i + 1] - data.offsets[i])
            logLikelihood +=
                -0.5 * count * log(2 * Double.pi * s2) - sums.rss[i] / (2 * s2)
                - b[i] * b[i] / (2 * t2) - 0.5 * log(t2 * h)
            variances.append(1 / h)
        }
        let system = normalEquations(phi: phi, b: b, sums: sums, tau: tau, sigma: sigma, lambda: 0)
        let inverse = LinearAlgebra.inverse(system.schur) ?? diagonal(prior.precision.prefix(p).map { 1 / $0 })
        var covariance = diagonal(Array(repeating: 0, count: FadeParameters.estimateCount))
        for r in 0..<p { for c in 0..<p { covariance[r][c] = inverse[r][c] } }
        return MixedFit(
            phi: phi, b: b, posteriorVariance: variances, tau: tau, sigma: sigma, covariance: covariance,
            logLikelihood: logLikelihood, parameterCount: p + 2, converged: converged
        )
    }
}
