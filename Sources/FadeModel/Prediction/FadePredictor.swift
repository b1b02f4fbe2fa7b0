import Foundation

/// Predicts a client's density curve and touch-up date from the population parameters and the
/// client's own observations. Pure and deterministic: `now` is always passed in.
public struct FadePredictor: Sendable {
    /// Spacing of the sampled curve, in days.
    public var curveStepDays: Double
    /// The most points a curve may have (the spacing widens to respect it).
    public var maximumCurvePoints: Int
    /// Drivers moving the crossing by fewer days than this are left out.
    public var minimumDriverDays: Double

    /// Creates a predictor.
    public init(curveStepDays: Double = 30, maximumCurvePoints: Int = 400, minimumDriverDays: Double = 15) {
        self.curveStepDays = curveStepDays
        self.maximumCurvePoints = maximumCurvePoints
        self.minimumDriverDays = minimumDriverDays
    }

    /// Predicts the fade of `subject` after its latest course or touch-up.
    ///
    /// - Parameters:
    ///   - threshold: the density at which a touch-up is due (strictly between 0 and 1).
    ///   - now: the current time; dates after it are rejected.
    ///   - withCurve: whether to sample ``FadePrediction/curve``. Without it the curve is empty and every other
    ///     member is the same: a reader who needs the curve samples it from the same inputs later
    ///     (``FadePrediction/withCurve(subject:parameters:now:)``), as the forecast projection's reader does.
    /// - Returns: a prediction, or status ``FadePrediction/Status/notEnoughData(_:)`` without sessions.
    /// - Throws: ``FadeError`` for invalid subjects, parameters or threshold.
    public func predict(
        subject: FadeSubject, parameters: FadeParameters, threshold: Double = FadeParameters.defaultThreshold,
        now: Date, withCurve: Bool = true
    ) throws(FadeError) -> FadePrediction {
        guard threshold.isFinite, threshold > 0, threshold < 1 else { throw .invalidThreshold("\(threshold)") }
        try parameters.validate()
        guard let timeline = try FadeTimeline.make(subject: subject, healingDays: parameters.healingDays, now: now)
        else { return .notEnoughData(.noSessions, threshold: threshold, form: parameters.form) }

        let gamma = parameters.effectiveShape
        let tau = parameters.betweenClientSD
        let z = parameters.centeredFeatures(of: subject)
        let mu = parameters.meanLogRate(features: z)
        let lastStart = timeline.lastDecayStart
        // All observations inform the client's rate, whichever segment they are on.
        let own = OwnRateEstimator.posterior(
            mean: mu, sd: tau, gamma: gamma, sigma: parameters.observationSD,
            points: timeline.points.map { ($0.years, $0.density) }
        )
        let priorWeight = own.variance / (tau * tau)
        let logThreshold = log(-log(threshold))
        var variance = own.variance + priorWeight * priorWeight * parameters.meanLogRateVariance(features: z)
        if parameters.form == .weibull {
            let dShape = logThreshold / gamma
            let shape = FadeParameters.estimateCount - 1  // log γ, after log k0 and the effects
            variance += dShape * dShape * parameters.estimateCovariance[shape][shape]
        }
        let crossing = CrossingDistribution(
            origin: lastStart,
            logMedianYears: DecayCurve.logCrossingYears(threshold: threshold, eta: own.mode, gamma: gamma),
            logSD: variance.squareRoot()
        )
        let low = crossing.date(atQuantile: 0.1)
        let high = crossing.date(atQuantile: 0.9)
        let curve =
            withCurve
            ? sampleCurve(timeline: timeline, crossing: crossing, threshold: threshold, gamma: gamma, now: now) : []
        let prediction = FadePrediction(
            status: .predicted, threshold: threshold, form: parameters.form, curve: curve, crossing: crossing,
            crossingDate: crossing.median, intervalLow: low, intervalHigh: high,
            currentDensity: density(
                at: now, timeline: timeline, crossing: crossing, z: 0, threshold: threshold, gamma: gamma),
            drivers: drivers(
                parameters: parameters, features: z, subject: subject,
                ownShift: timeline.points.isEmpty ? 0 : own.mode - mu,
                threshold: threshold
            ),
            observationsUsed: timeline.points.count, ownDataWeight: max(0, min(1, 1 - priorWeight))
        )
        guard prediction.isFinite else { throw .numericalFailure("non-finite prediction for subject \(subject.id)") }
        return prediction
    }

    /// Density at `date` with the crossing time at standard-normal quantile `z`.
    ///
    /// D(t) = exp(−(−ln θ)·(t / t*)^γ), which equals exp(−(k·t)^γ) for the rate whose crossing is t*.
    private func density(
        at date: Date, timeline: FadeTimeline, crossing: CrossingDistribution, z: Double, threshold: Double,
        gamma: Double
    ) -> Double {
        guard let years = timeline.decayYears(at: date), years > 0 else { return 1 }
        return Self.density(
            logYears: log(years), crossing: crossing, z: z, logLogThreshold: log(-log(threshold)), gamma: gamma)
    }

    /// `density(at:…)` for a date `exp(logYears)` years into its decay; `logLogThreshold` is `log(-log(threshold))`.
    private static func density(
        logYears: Double, crossing: CrossingDistribution, z: Double, logLogThreshold: Double, gamma: Double
    ) -> Double {
        let logCrossing = crossing.logMedianYears + z * crossing.logSD
        let exponent = gamma * (logYears - logCrossing) + logLogThreshold
        return exponent > 6.5 ? 0 : exp(-exp(exponent))
    }

    /// The curve from the last course session to half a year past the later of `now` and the interval's end.
    private func sampleCurve(
        timeline: FadeTimeline, crossing: CrossingDistribution, threshold: Double, gamma: Double, now: Date
    ) -> [FadeCurvePoint] {
        let start = timeline.anchors[0]
        let horizon = timeline.lastDecayStart.addingTimeInterval(30 * FadeTimeline.secondsPerYear)
        let end = min(max(now, crossing.date(atQuantile: 0.9)).addingTimeInterval(182 * 86_400), horizon)
        let span = end.timeIntervalSince(start)
        let step = max(
            curveStepDays * 86_400, span / Double(max(maximumCurvePoints - 2 * timeline.anchors.count - 2, 10)))
        var dates: [Date] = []
        var t = start
        while t < end {
            dates.append(t)
            t = t.addingTimeInterval(step)
        }
        dates.append(end)
        for anchor in timeline.anchors.dropFirst() {
            dates.append(anchor.addingTimeInterval(-1))
            dates.append(anchor)
        }
        for anchor in timeline.anchors { dates.append(anchor.addingTimeInterval(timeline.healing)) }
        dates.append(crossing.median)
        // Sorted, then each date once (as a `Set` would keep them, without hashing every date).
        var unique: [Date] = []
        for date in dates.filter({ $0 >= start && $0 <= end }).sorted() where date != unique.last {
            unique.append(date)
        }
        // A date's decay and its logarithm once for its three densities (the same arithmetic as `density(at:…)`).
        let logLogThreshold = log(-log(threshold))
        return unique.map { date in
            guard let years = timeline.decayYears(at: date), years > 0 else {
                return FadeCurvePoint(date: date, density: 1, low: 1, high: 1)
            }
            let logYears = log(years)
            func density(_ z: Double) -> Double {
                Self.density(
                    logYears: logYears, crossing: crossing, z: z, logLogThreshold: logLogThreshold, gamma: gamma)
            }
            return FadeCurvePoint(
                date: date, density: density(0), low: density(-StandardNormal.z90), high: density(StandardNormal.z90))
        }
    }

    /// How each differing covariate, and the client's own observations, move the crossing date
    /// compared with a client at the population-average covariates.
    private func drivers(
        parameters: FadeParameters, features z: [Double], subject: FadeSubject, ownShift: Double, threshold: Double
    ) -> [FadeDriver] {
        let gamma = parameters.effectiveShape
        let referenceYears = exp(
            DecayCurve.logCrossingYears(threshold: threshold, eta: log(parameters.baseRate), gamma: gamma))
        let effects = parameters.effects.vector
        var result: [FadeDriver] = []
        for factor in FadeFactor.allCases where z[factor.index] != 0 {
            let days = referenceYears * (exp(-effects[factor.index] * z[factor.index]) - 1) * 365.25
            result.append(
                FadeDriver(
                    source: .covariate(factor), shiftDays: days,
                    summary: "\(DriverWording.label(factor, subject: subject)): \(DriverWording.shift(days: days))"
                )
            )
        }
        if ownShift != 0 {
            let days = referenceYears * (exp(-ownShift) - 1) * 365.25
            let pace =
                ownShift > 0 ? "fading faster than the profile predicts" : "fading slower than the profile predicts"
            result.append(
                FadeDriver(
                    source: .ownObservations, shiftDays: days,
                    summary: "own follow-up observations, \(pace): \(DriverWording.shift(days: days))"
                )
            )
        }
        return result.filter { abs($0.shiftDays) >= minimumDriverDays }
            .sorted { abs($0.shiftDays) > abs($1.shiftDays) }
    }
}
