import Foundation

/// Exponential against Weibull decay on the same observations.
public struct FadeModelComparison: Sendable, Codable, Equatable {
    /// Fit quality of one form.
    public struct Fit: Sendable, Codable, Equatable {
        /// Laplace-approximate marginal log-likelihood of the observations.
        public var logLikelihood: Double
        /// Estimated parameters (fixed effects, τ and σ).
        public var parameterCount: Int
        /// Akaike information criterion, 2p − 2 log L.
        public var aic: Double
        /// Bayesian information criterion, p·ln(observations) − 2 log L.
        public var bic: Double
    }

    /// The exponential fit.
    public var exponential: Fit
    /// The Weibull fit.
    public var weibull: Fit
    /// Likelihood-ratio statistic 2·(log L_weibull − log L_exponential), floored at 0.
    ///
    /// Conservative: the fits maximise the joint (h-)likelihood rather than the Laplace likelihood, which
    /// costs the Weibull fit about one log-likelihood unit on exponential data.
    public var likelihoodRatio: Double
    /// p-value of the likelihood-ratio test against χ² with 1 degree of freedom.
    public var pValue: Double
    /// The form chosen: Weibull when `pValue` is below the calibrator's significance level.
    public var chosen: FadeForm

    /// Compares two fits; `observations` is the sample size for BIC.
    init(exponential e: MixedFit, weibull w: MixedFit, observations: Int, significance: Double) {
        func summary(_ fit: MixedFit) -> Fit {
            let k = Double(fit.parameterCount)
            return Fit(
                logLikelihood: fit.logLikelihood, parameterCount: fit.parameterCount,
                aic: 2 * k - 2 * fit.logLikelihood, bic: k * log(Double(max(observations, 1))) - 2 * fit.logLikelihood
            )
        }
        exponential = summary(e)
        weibull = summary(w)
        let ratio = max(0, 2 * (w.logLikelihood - e.logLikelihood))
        likelihoodRatio = ratio
        pValue = erfc((ratio / 2).squareRoot())
        chosen = pValue < significance ? .weibull : .exponential
    }
}
