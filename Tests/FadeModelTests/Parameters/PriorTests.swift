import Foundation
import Testing
@testable import FadeModel

@Suite("The prior, before any observations")
struct PriorTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)
    let year = FadeTimeline.secondsPerYear

    /// An average client: three sessions, nothing else known, no follow-ups.
    func averageClient() -> FadeSubject {
        let start = now.addingTimeInterval(-30 * 86_400 * 3)
        return FadeSubject(id: "avg", sessions: (0..<3).map { start.addingTimeInterval(Double($0) * 14 * 86_400) })
    }

    @Test("puts an average client's median touch-up at four years with an 80% interval inside 2–6 years")
    func priorMedianAndInterval() throws {
        let prediction = try FadePredictor().predict(subject: averageClient(), parameters: .prior, now: now)
        let crossing = try #require(prediction.crossing)
        let median = try #require(prediction.crossingDate).timeIntervalSince(crossing.origin) / year
        let low = try #require(prediction.intervalLow).timeIntervalSince(crossing.origin) / year
        let high = try #require(prediction.intervalHigh).timeIntervalSince(crossing.origin) / year
        #expect(abs(median - 4) < 0.01)
        #expect(low >= 2 && low <= 3.2)
        #expect(high >= 4.8 && high <= 6)
        #expect(prediction.drivers.isEmpty)
        #expect(prediction.ownDataWeight == 0)
    }

    @Test("is valid and survives a JSON round trip unchanged")
    func priorRoundTrips() throws {
        try FadeParameters.prior.validate()
        let data = try JSONEncoder().encode(FadeParameters.prior)
        #expect(try JSONDecoder().decode(FadeParameters.self, from: data) == .prior)
    }

    @Test("moves the touch-up later for a stricter clinic threshold and earlier for a looser one")
    func thresholdIsConfigurable() throws {
        let strict = try FadePredictor().predict(subject: averageClient(), parameters: .prior, threshold: 0.8, now: now)
        let loose = try FadePredictor().predict(subject: averageClient(), parameters: .prior, threshold: 0.4, now: now)
        let strictDate = try #require(strict.crossingDate)
        let looseDate = try #require(loose.crossingDate)
        #expect(strictDate < looseDate)
    }

    @Test("names very high UV exposure as a driver of an earlier touch-up, in words")
    func uvDriverInWords() throws {
        var subject = averageClient()
        subject.covariates.uvExposure = .veryHigh
        let prediction = try FadePredictor().predict(subject: subject, parameters: .prior, now: now)
        let driver = try #require(prediction.drivers.first { $0.source == .covariate(.uvExposure) })
        #expect(driver.shiftDays < -200)
        #expect(driver.summary.hasPrefix("very high UV exposure: about "))
        #expect(driver.summary.hasSuffix(" earlier than average"))
    }
}
