import Foundation

/// Expected touch-up revenue in one month of the outlook.
public struct MonthlyRevenue: Sendable, Codable, Equatable {
    /// Start of the month (or `now`, for the first month).
    public var start: Date
    /// Start of the next month.
    public var end: Date
    /// Σ price × probability that the client's crossing falls in [start, end).
    public var expected: Double
    /// Σ probability: the expected number of touch-ups falling due.
    public var expectedTouchUps: Double

    /// Creates a month.
    public init(start: Date, end: Date, expected: Double, expectedTouchUps: Double) {
        self.start = start
        self.end = end
        self.expected = expected
        self.expectedTouchUps = expectedTouchUps
    }
}
