import Foundation

/// Learns the population parameters and each client's own rate from follow-up observations.
///
/// The population parameters (k0, β, γ, τ, σ) are fitted across all clients; each client's rate
/// is shrunk toward the population the fewer observations it has (a log-normal random effect
/// whose variance τ² is estimated from the data). The prior keeps a small clinic's estimates
/// sensible; with many observations the data dominate.
public struct FadeCalibrator: Sendable {
    /// Which decay form to fit.
    public enum FormChoice: Sendable, Equatable, Hashable {
        /// Fit both and keep Weibull only when a likelihood-ratio test prefers it.
        case automatic
        /// Fit only this form.
        case fixed(FadeForm)
    }

    /// The prior the estimates shrink toward (use ``FadeParameters/prior``, not an earlier calibration,
    /// which would count the same observations twice).
    public var prior: FadeParameters
    /// Which decay form to fit.
    public var formChoice: FormChoice
    /// Significance level of the likelihood-ratio test for Weibull over exponential.
    public var significance: Double
    /// Fewest usable observations needed to calibrate.
    public var minimumObservations: Int
    /// Fewest clients with usable observations needed to calibrate.
    public var minimumClients: Int

    /// Creates a calibrator.
    public init(
        prior: FadeParameters = .prior, formChoice: FormChoice = .automatic, significance: Double = 0.05,
        minimumObservations: Int = 10, minimumClients: Int = 3
    ) {
        self.prior = prior
        self.formChoice = formChoice
        self.significance = significance
        self.minimumObservations = minimumObservations
        self.minimumClients = minimumClients
    }

    /// Calibrates on `subjects`, validating every date against `now`.
    ///
    /// - Throws: ``FadeError`` for invalid input, ``FadeError/notEnoughData(_:)`` when there are
    ///   fewer usable observations or clients than required.
    public func calibrate(subjects: [FadeSubject], now: Date) throws(FadeError) -> FadeCalibration {
        try prior.validate()
        var entries: [(subject: FadeSubject, timeline: FadeTimeline)] = []
        for subject in subjects {
            if let timeline = try FadeTimeline.make(subject: subject, healingDays: prior.healingDays, now: now) {
                entries.append((subject, timeline))
            }
        }
        var base = prior
        base.covariateMeans = Self.means(of: entries.map(\.subject), fallback: prior.covariateMeans)
        let shift = zip(prior.effects.vector, zip(base.covariateMeans.vector, prior.covariateMeans.vector))
            .reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) }
        base.baseRate = prior.baseRate * exp(shift)

        var data = FitData()
        var fitted: [Int] = []
        for (index, entry) in entries.enumerated() where !entry.timeline.points.isEmpty {
            data.append(
                features: base.centeredFeatures(of: entry.subject),
                observations: entry.timeline.points.map { ($0.years, $0.density) }
            )
            fitted.append(index)
        }
        guard data.observationCount >= minimumObservations, data.clientCount >= minimumClients else {
            throw .notEnoughData(
                "\(data.observationCount) usable observations from \(data.clientCount) clients; "
                    + "need \(minimumObservations) from \(minimumClients)"
            )
        }

        let fitPrior = FitPrior(
            mean: [log(base.baseRate)] + base.effects.vector + [0],
            precision: (0..<FadeParameters.estimateCount).map { 1 / max(prior.estimateCovariance[$0][$0], 1e-12) },
            tau: prior.betweenClientSD, sigma: prior.observationSD
        )
        let nonNegative = FadeFactor.nonNegative.map { $0.index + 1 }
        func fit(_ form: FadeForm) -> MixedFit {
            MixedEffectsFitter(data: data, weibull: form == .weibull, prior: fitPrior, nonNegative: nonNegative).fit()
        }
        let chosenFit: MixedFit
        let comparison: FadeModelComparison?
        switch formChoice {
        case .fixed(let form):
            chosenFit = fit(form)
            comparison = nil
        case .automatic:
            let exponential = fit(.exponential)
            let weibull = fit(.weibull)
            let result = FadeModelComparison(
                exponential: exponential, weibull: weibull, observations: data.observationCount,
                significance: significance
            )
            chosenFit = result.chosen == .weibull ? weibull : exponential
            comparison = result
        }
        // A Weibull fit estimates log γ too: one parameter more than the exponential (plus τ and σ).
        let form: FadeForm = chosenFit.parameterCount == MixedEffectsFitter.shapeIndex + 3 ? .weibull : .exponential
        var parameters = base
        parameters.form = form
        parameters.baseRate = exp(chosenFit.phi[0])
        parameters.effects = FactorValues(vector: Array(chosenFit.phi[1...FactorValues.count]))
        parameters.shape = form == .weibull ? exp(chosenFit.phi[MixedEffectsFitter.shapeIndex]) : 1
        parameters.betweenClientSD = chosenFit.tau
        parameters.observationSD = chosenFit.sigma
        parameters.estimateCovariance = chosenFit.covariance
        do {
            try parameters.validate()
        } catch {
            throw .numericalFailure("calibrated parameters out of range: \(error)")
        }

        var clients: [FadeClientPosterior] = []
        var fitIndex = 0
        for (index, entry) in entries.enumerated() {
            let z = parameters.centeredFeatures(of: entry.subject)
            let mean = parameters.meanLogRate(features: z)
            var b = 0.0
            var variance = chosenFit.tau * chosenFit.tau
            if fitIndex < fitted.count, fitted[fitIndex] == index {
                b = chosenFit.b[fitIndex]
                variance = chosenFit.posteriorVariance[fitIndex]
                fitIndex += 1
            }
            clients.append(
                FadeClientPosterior(
                    id: entry.subject.id, observationCount: entry.timeline.points.count, logRate: mean + b,
                    logRateSD: variance.squareRoot(), ownEffect: b,
                    ownDataWeight: max(0, 1 - variance / (chosenFit.tau * chosenFit.tau))
                )
            )
        }
        return FadeCalibration(
            parameters: parameters, clients: clients, comparison: comparison,
            usedObservations: data.observationCount,
            skippedObservations: entries.reduce(0) { $0 + $1.timeline.skipped },
            converged: chosenFit.converged
        )
    }

    /// The average of each known covariate across subjects (the prior's value when none is known).
    static func means(of subjects: [FadeSubject], fallback: FactorValues) -> FactorValues {
        var sums = Array(repeating: 0.0, count: FactorValues.count)
        var counts = Array(repeating: 0, count: FactorValues.count)
        let zero = FadeParameters.prior.withMeans(FactorValues())
        for subject in subjects {
            let raw = zero.centeredFeatures(of: subject)
            let known = knownMask(subject)
            for i in 0..<FactorValues.count where known[i] {
                sums[i] += raw[i]
                counts[i] += 1
            }
        }
        let fallbackVector = fallback.vector
        return FactorValues(
            vector: (0..<FactorValues.count).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : fallbackVector[$0] }
        )
    }

    /// Which covariates of `subject` are known, in ``FadeFactor`` order.
    static func knownMask(_ subject: FadeSubject) -> [Bool] {
        let c = subject.covariates
        return [
            c.uvExposure != nil, c.fitzpatrick != nil, c.oiliness != nil, c.age != nil,
            c.pigmentDilution != nil, !subject.sessions.isEmpty, c.scarring != nil, c.sweating != nil,
            c.swimming != nil,
        ]
    }
}

extension FadeParameters {
    /// A copy with other covariate means.
    func withMeans(_ means: FactorValues) -> FadeParameters {
        var copy = self
        copy.covariateMeans = means
        return copy
    }
}
