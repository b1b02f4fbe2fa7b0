import Foundation

/// One sampled point of a predicted density curve with its 80% band.
public struct FadeCurvePoint: Sendable, Codable, Equatable {
    /// The date.
    public var date: Date
    /// Predicted density (median rate).
    public var density: Double
    /// 10th percentile of density (the client fading at the 90th-percentile rate).
    public var low: Double
    /// 90th percentile of density.
    public var high: Double

    /// Creates a point.
    public init(date: Date, density: Double, low: Double, high: Double) {
        self.date = date
        self.density = density
        self.low = low
        self.high = high
    }
}
