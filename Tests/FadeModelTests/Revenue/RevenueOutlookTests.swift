import Foundation
import Testing
@testable import FadeModel

@Suite("Revenue outlook")
struct RevenueOutlookTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)
    let year = FadeTimeline.secondsPerYear

    /// A prediction whose crossing is log-normal with the given median (years from now) and spread.
    func prediction(medianYearsFromNow: Double, logSD: Double) -> FadePrediction {
        var prediction = FadePrediction.notEnoughData(.noSessions, threshold: 0.6, form: .exponential)
        prediction.status = .predicted
        prediction.crossing = CrossingDistribution(origin: now, logMedianYears: log(medianYearsFromNow), logSD: logSD)
        return prediction
    }

    @Test("spreads every price over overdue, the twelve months and later without losing any")
    func conservesRevenue() throws {
        let items = [
            RevenueItem(prediction: prediction(medianYearsFromNow: 0.3, logSD: 0.3), price: 400),
            RevenueItem(prediction: prediction(medianYearsFromNow: 2, logSD: 0.5), price: 250),
            RevenueItem(prediction: prediction(medianYearsFromNow: 0.05, logSD: 1.5), price: 300),
        ]
        let outlook = try RevenueOutlook.expected(items: items, now: now)
        #expect(outlook.months.count == 12)
        let total = outlook.overdue + outlook.later + outlook.months.reduce(0) { $0 + $1.expected }
        #expect(abs(total - 950) < 1e-6)
        #expect(outlook.months.allSatisfy { $0.expected >= 0 && $0.start < $0.end })
        #expect(outlook.months.first?.start == now)
    }

    @Test("puts most of a client's price in the month their touch-up is due")
    func concentratesOnTheDueMonth() throws {
        let items = [RevenueItem(prediction: prediction(medianYearsFromNow: 0.4, logSD: 0.02), price: 500)]
        let outlook = try RevenueOutlook.expected(items: items, now: now)
        let due = now.addingTimeInterval(0.4 * year)
        let month = try #require(outlook.months.firstIndex { $0.start <= due && due < $0.end })
        let best = try #require(
            outlook.months.indices.max { outlook.months[$0].expected < outlook.months[$1].expected })
        #expect(best == month)
        #expect(outlook.months[month].expected > 250)
        #expect(abs(outlook.months.reduce(0) { $0 + $1.expectedTouchUps } - 1) < 1e-3)
    }

    @Test("counts not-enough-data predictions apart and rejects negative prices")
    func unpredictedAndBadPrices() throws {
        let none = FadePrediction.notEnoughData(.noSessions, threshold: 0.6, form: .exponential)
        let outlook = try RevenueOutlook.expected(items: [RevenueItem(prediction: none, price: 300)], now: now)
        #expect(outlook.unpredicted == 1)
        #expect(outlook.months.allSatisfy { $0.expected == 0 })
        #expect(throws: FadeError.self) {
            try RevenueOutlook.expected(items: [RevenueItem(prediction: none, price: -1)], now: now)
        }
    }
}
