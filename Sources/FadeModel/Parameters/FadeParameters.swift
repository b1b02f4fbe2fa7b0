import Foundation

/// Population parameters of the fade model, as the prior or as calibrated from a clinic's data.
///
/// A client's density after a healed baseline is D(t) = exp(−(k·t)^γ) with t in years and
/// log k = log k0 + Σ β_f·(x_f − x̄_f) + b, where b ~ Normal(0, τ²) is the client's own deviation.
/// With ``FadeForm/exponential`` γ is 1.
public struct FadeParameters: Sendable, Codable, Equatable {
    /// Exponential or Weibull decay.
    public var form: FadeForm
    /// k0: the decay rate per year of a client with average covariates.
    public var baseRate: Double
    /// γ: the Weibull shape (1 for the exponential form; below 1 fading slows with time).
    public var shape: Double
    /// β: the change in log decay rate per unit of each factor (see ``FadeFactor`` for units).
    public var effects: FactorValues
    /// x̄: the population-average covariates; unknown covariates are taken at these values.
    public var covariateMeans: FactorValues
    /// τ: the standard deviation of clients' own log decay rates around the covariate prediction.
    public var betweenClientSD: Double
    /// σ: the standard deviation of a single density observation around the true curve.
    public var observationSD: Double
    /// Days after a session before the healed baseline (density 1.0) is reached and decay starts.
    public var healingDays: Double
    /// Covariance of the estimates (log k0, β in ``FadeFactor`` order, log γ): an 11×11 matrix (9×9 when stored
    /// before sweating and swimming were factors; decoding widens it with their prior variances).
    ///
    /// For the prior these are the prior variances; after calibration, the approximate posterior
    /// covariance. The log γ row is ignored for the exponential form.
    public var estimateCovariance: [[Double]]

    /// λ = 1/k0: the scale of the average client's decay curve, in years.
    public var scaleYears: Double { 1 / baseRate }

    /// Creates parameters; ``validate()`` checks them before use.
    public init(
        form: FadeForm,
        baseRate: Double,
        shape: Double,
        effects: FactorValues,
        covariateMeans: FactorValues,
        betweenClientSD: Double,
        observationSD: Double,
        healingDays: Double,
        estimateCovariance: [[Double]]
    ) {
        self.form = form
        self.baseRate = baseRate
        self.shape = shape
        self.effects = effects
        self.covariateMeans = covariateMeans
        self.betweenClientSD = betweenClientSD
        self.observationSD = observationSD
        self.healingDays = healingDays
        self.estimateCovariance = estimateCovariance
    }

    /// The number of estimated fixed parameters in ``estimateCovariance``: log k0, 9 effects, log γ.
    static let estimateCount = 2 + FactorValues.count

    /// The effective shape: exactly 1 for the exponential form.
    var effectiveShape: Double { form == .exponential ? 1 : shape }

    /// Throws ``FadeError/invalidParameters(_:)`` unless every value is finite and in range.
    public func validate() throws(FadeError) {
        func fail(_ reason: String) -> FadeError { .invalidParameters(reason) }
        guard baseRate.isFinite, baseRate > 1e-4, baseRate < 100 else {
            throw fail("base rate \(baseRate) must be in 0.0001...100 per year")
        }
        guard shape.isFinite, shape >= 0.1, shape <= 5 else { throw fail("shape \(shape) must be in 0.1...5") }
        guard effects.vector.allSatisfy({ $0.isFinite && abs($0) <= 10 }) else {
            throw fail("effects must be finite and at most 10 in size")
        }
        guard covariateMeans.vector.allSatisfy(\.isFinite) else { throw fail("covariate means must be finite") }
        guard betweenClientSD.isFinite, betweenClientSD > 0, betweenClientSD <= 5 else {
            throw fail("between-client sd \(betweenClientSD) must be in (0, 5]")
        }
        guard observationSD.isFinite, observationSD > 0, observationSD <= 1 else {
            throw fail("observation sd \(observationSD) must be in (0, 1]")
        }
        guard healingDays.isFinite, healingDays >= 0, healingDays <= 365 else {
            throw fail("healing days \(healingDays) must be in 0...365")
        }
        let n = Self.estimateCount
        guard estimateCovariance.count == n, estimateCovariance.allSatisfy({ $0.count == n }) else {
            throw fail("estimate covariance must be \(n)×\(n)")
        }
        guard estimateCovariance.allSatisfy({ $0.allSatisfy(\.isFinite) }),
            (0..<n).allSatisfy({ estimateCovariance[$0][$0] >= 0 })
        else { throw fail("estimate covariance must be finite with non-negative variances") }
    }

    /// The client's covariates as deviations from the population means (unknown → 0).
    func centeredFeatures(of subject: FadeSubject) -> [Double] {
        let c = subject.covariates
        let raw: [Double?] = [
            c.uvExposure.map { Double($0.rawValue) },
            c.fitzpatrick.map { Double($0.rawValue) },
            c.oiliness.map { Double($0.rawValue) },
            c.age.map { $0 / 10 },
            c.pigmentDilution,
            subject.sessions.isEmpty ? nil : Double(subject.sessions.count),
            c.scarring.map { $0 ? 1 : 0 },
            c.sweating.map { $0 ? 1 : 0 },
            c.swimming.map { $0 ? 1 : 0 },
        ]
        let means = covariateMeans.vector
        return raw.enumerated().map { i, value in value.map { $0 - means[i] } ?? 0 }
    }

    /// The mean log decay rate for centred features z: log k0 + β·z.
    func meanLogRate(features z: [Double]) -> Double {
        log(baseRate) + zip(effects.vector, z).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Variance of the mean log rate from the estimates' uncertainty: gᵀCg with g = (1, z, 0).
    func meanLogRateVariance(features z: [Double]) -> Double {
        let g = [1] + z + [0]
        return quadraticForm(estimateCovariance, g)
    }
}

extension FadeParameters {
    private enum CodingKeys: String, CodingKey {
        case form, baseRate, shape, effects, covariateMeans, betweenClientSD, observationSD, healingDays
        case estimateCovariance
    }

    /// Decodes; parameters stored before sweating and swimming were factors (a 9×9 covariance) get their rows and
    /// columns from the prior, uncorrelated with the rest, so an older calibration keeps working unchanged.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var covariance = try c.decode([[Double]].self, forKey: .estimateCovariance)
        let added = FadeParameters.estimateCount - covariance.count
        if added == 2, covariance.allSatisfy({ $0.count == covariance.count }) {
            let prior = FadeParameters.prior.estimateCovariance
            let old = covariance.count
            let n = FadeParameters.estimateCount
            // Old order: log k0, 7 effects, log γ. New: log k0, 9 effects, log γ.
            func oldIndex(_ i: Int) -> Int? { i < old - 1 ? i : (i == n - 1 ? old - 1 : nil) }
            covariance = (0..<n).map { i in
                (0..<n).map { j in
                    if let oi = oldIndex(i), let oj = oldIndex(j) { return covariance[oi][oj] }
                    return i == j ? prior[i][i] : 0
                }
            }
        }
        self.init(
            form: try c.decode(FadeForm.self, forKey: .form), baseRate: try c.decode(Double.self, forKey: .baseRate),
            shape: try c.decode(Double.self, forKey: .shape),
            effects: try c.decode(FactorValues.self, forKey: .effects),
            covariateMeans: try c.decode(FactorValues.self, forKey: .covariateMeans),
            betweenClientSD: try c.decode(Double.self, forKey: .betweenClientSD),
            observationSD: try c.decode(Double.self, forKey: .observationSD),
            healingDays: try c.decode(Double.self, forKey: .healingDays), estimateCovariance: covariance)
    }
}

/// gᵀ·M·g for a square matrix M (entries beyond M's size count as 0).
func quadraticForm(_ m: [[Double]], _ g: [Double]) -> Double {
    var total = 0.0
    for i in 0..<min(m.count, g.count) where g[i] != 0 {
        for j in 0..<min(m[i].count, g.count) where g[j] != 0 {
            total += g[i] * m[i][j] * g[j]
        }
    }
    return total
}
