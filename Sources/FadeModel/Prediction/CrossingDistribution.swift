import Foundation

/// The log-normal distribution of when a client's density crosses the threshold.
///
/// The years from `origin` to the crossing are log-normal with median exp(`logMedianYears`)
/// and log-scale standard deviation `logSD`: quantiles and probabilities are exact and deterministic.
public struct CrossingDistribution: Sendable, Codable, Equatable {
    /// When decay started (the healed baseline after the latest course or touch-up).
    public var origin: Date
    /// Mean (and median) of the log of the years to crossing.
    public var logMedianYears: Double
    /// Standard deviation of the log of the years to crossing.
    public var logSD: Double

    /// Creates a distribution.
    public init(origin: Date, logMedianYears: Double, logSD: Double) {
        self.origin = origin
        self.logMedianYears = logMedianYears
        self.logSD = logSD
    }

    /// Log-years are kept within 1 day ... 500 years so that dates stay representable.
    static let logYearsRange = log(1 / 365.25)...log(500.0)

    /// The date by which the crossing has happened with probability `p` (0 < p < 1).
    public func date(atQuantile p: Double) -> Date {
        let z = StandardNormal.quantile(min(max(p, 1e-12), 1 - 1e-12))
        let logYears = min(
            max(logMedianYears + z * logSD, Self.logYearsRange.lowerBound), Self.logYearsRange.upperBound)
        return origin.addingTimeInterval(exp(logYears) * FadeTimeline.secondsPerYear)
    }

    /// The median crossing date.
    public var median: Date { date(atQuantile: 0.5) }

    /// The probability that the crossing has happened by `date`.
    public func probability(by date: Date) -> Double {
        let years = date.timeIntervalSince(origin) / FadeTimeline.secondsPerYear
        guard years > 0 else { return 0 }
        guard logSD > 0 else { return log(years) >= logMedianYears ? 1 : 0 }
        return StandardNormal.cdf((log(years) - logMedianYears) / logSD)
    }
}
