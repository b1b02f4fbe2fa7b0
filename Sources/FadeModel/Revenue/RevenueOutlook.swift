import Foundation

/// Expected touch-up revenue per month, spreading each client's price over the months by the
/// probability that their crossing date falls in each (from the same log-normal as the interval).
public struct RevenueOutlook: Sendable, Codable, Equatable {
    /// The months, starting with the rest of the current month.
    public var months: [MonthlyRevenue]
    /// Expected revenue from clients whose crossing has probably already happened (before `now`).
    public var overdue: Double
    /// Expected revenue falling after the last month.
    public var later: Double
    /// Predictions without a crossing distribution (not enough data), not counted.
    public var unpredicted: Int

    /// Builds the outlook for `months` calendar months from `now` (the first month runs from `now`).
    ///
    /// - Throws: ``FadeError/invalidParameters(_:)`` for a negative or non-finite price or month count,
    ///   ``FadeError/nonFiniteNow`` for a non-finite `now`.
    public static func expected(
        items: [RevenueItem], now: Date, months count: Int = 12, calendar: Calendar = utcCalendar
    ) throws(FadeError) -> RevenueOutlook {
        guard now.timeIntervalSinceReferenceDate.isFinite else { throw .nonFiniteNow }
        guard (1...120).contains(count) else { throw .invalidParameters("month count \(count) must be in 1...120") }
        if let bad = items.first(where: { !($0.price.isFinite && $0.price >= 0) }) {
            throw .invalidParameters("price \(bad.price) must be finite and non-negative")
        }
        var bounds = [now]
        var cursor = calendar.dateInterval(of: .month, for: now)?.start ?? now
        for _ in 0..<count {
            guard let next = calendar.date(byAdding: .month, value: 1, to: cursor) else { break }
            bounds.append(next)
            cursor = next
        }
        var months = zip(bounds, bounds.dropFirst()).map {
            MonthlyRevenue(start: $0, end: $1, expected: 0, expectedTouchUps: 0)
        }
        var overdue = 0.0
        var later = 0.0
        var unpredicted = 0
        for item in items {
            guard let crossing = item.prediction.crossing else {
                unpredicted += 1
                continue
            }
            var previous = crossing.probability(by: now)
            overdue += item.price * previous
            for index in months.indices {
                let cumulative = crossing.probability(by: months[index].end)
                months[index].expected += item.price * (cumulative - previous)
                months[index].expectedTouchUps += cumulative - previous
                previous = cumulative
            }
            later += item.price * (1 - previous)
        }
        return RevenueOutlook(months: months, overdue: overdue, later: later, unpredicted: unpredicted)
    }

    /// A Gregorian calendar in UTC, the default for month boundaries.
    public static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
