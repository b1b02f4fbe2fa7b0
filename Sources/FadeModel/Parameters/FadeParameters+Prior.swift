import Foundation

extension FadeParameters {
    /// The default touch-up threshold: a clinic calls for a touch-up when density falls to 0.6.
    public static let defaultThreshold = 0.6

    /// The assumptions used before a clinic has any observations (see docs/fade-model.md).
    ///
    /// Chosen so that an average client reaches density 0.6 after a median of 4 years, with an
    /// 80% interval of about 2.8–5.6 years, matching clinics' published touch-up guidance
    /// ("every 2–6 years, most often 3–5"). These are assumptions, not fitted values.
    public static let prior = FadeParameters(
        form: .exponential,
        // −ln(0.6) / 4 years: median crossing of 0.6 at 4 years for an average client.
        baseRate: -log(defaultThreshold) / 4,
        shape: 1,
        effects: FactorValues(
            uvExposure: 0.15, fitzpatrick: 0, oiliness: 0.10, ageDecades: 0,
            pigmentDilution: 0.30, sessions: -0.05, scarring: 0.20, sweating: 0.05, swimming: 0.05
        ),
        covariateMeans: FactorValues(
            uvExposure: 1.5, fitzpatrick: 3, oiliness: 1.5, ageDecades: 4.5,
            pigmentDilution: 0.3, sessions: 3, scarring: 0.1, sweating: 0.3, swimming: 0.2
        ),
        betweenClientSD: 0.22,
        observationSD: 0.05,
        healingDays: 28,
        estimateCovariance: diagonal(
            [0.15, 0.10, 0.05, 0.10, 0.05, 0.30, 0.05, 0.20, 0.10, 0.10, 0.30].map { $0 * $0 }
        )
    )
}

/// A square matrix with the given diagonal.
func diagonal(_ values: [Double]) -> [[Double]] {
    values.indices.map { i in values.indices.map { j in i == j ? values[i] : 0 } }
}
