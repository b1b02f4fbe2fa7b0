import Foundation
import Testing
@testable import FadeModel

@Suite("Sweating and swimming habits, reported at follow-ups, as covariates")
struct HabitCovariateTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)
    let year = FadeTimeline.secondsPerYear

    func client(sweating: Bool?, swimming: Bool?) -> FadeSubject {
        let start = now.addingTimeInterval(-30 * 86_400 * 3)
        return FadeSubject(
            id: "habits", sessions: (0..<3).map { start.addingTimeInterval(Double($0) * 14 * 86_400) },
            covariates: Covariates(sweating: sweating, swimming: swimming))
    }

    func medianYears(sweating: Bool?, swimming: Bool?) throws -> Double {
        let prediction = try FadePredictor().predict(
            subject: client(sweating: sweating, swimming: swimming), parameters: .prior, now: now)
        let crossing = try #require(prediction.crossing)
        return try #require(prediction.crossingDate).timeIntervalSince(crossing.origin) / year
    }

    @Test("a regular gym-goer is due earlier than average by the prior's effect; unknown habits count as average")
    func habitsMoveTheTouchUpEarlier() throws {
        // β_sweating 0.05, x̄ 0.3: log k rises by 0.05 × (1 − 0.3) = 0.035, so t* = 4 / e^0.035 = 3.8624 years.
        #expect(abs(try medianYears(sweating: true, swimming: nil) - 4 * exp(-0.035)) < 0.001)
        #expect(abs(try medianYears(sweating: nil, swimming: nil) - 4) < 0.001)
        let both = try medianYears(sweating: true, swimming: true)
        let neither = try medianYears(sweating: false, swimming: false)
        #expect(both < 4 * exp(-0.035) && neither > 4)
        let prediction = try FadePredictor().predict(
            subject: client(sweating: true, swimming: true), parameters: .prior, now: now)
        #expect(
            prediction.drivers.contains {
                $0.source == .covariate(.sweating) && $0.summary.hasPrefix("regular heavy sweating")
            })
    }

    @Test("parameters stored before the habit factors existed decode, widened with the prior's variances")
    func olderStoredParametersDecode() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(FadeParameters.prior)) as? [String: Any])
        for key in ["effects", "covariateMeans"] {
            var values = try #require(object[key] as? [String: Any])
            values["sweating"] = nil
            values["swimming"] = nil
            object[key] = values
        }
        // The stored 9×9 order: log k0, 7 effects, log γ (the habit rows 8 and 9 of today's 11×11 did not exist).
        let covariance = try #require(object["estimateCovariance"] as? [[Double]])
        let kept = [0, 1, 2, 3, 4, 5, 6, 7, 10]
        object["estimateCovariance"] = kept.map { i in kept.map { j in covariance[i][j] } }
        let stored = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(FadeParameters.self, from: stored)
        try decoded.validate()
        let prior = FadeParameters.prior.estimateCovariance
        #expect(decoded.estimateCovariance.count == 11)
        for i in 0..<11 {
            for j in 0..<11 { #expect(abs(decoded.estimateCovariance[i][j] - prior[i][j]) < 1e-15, "[\(i)][\(j)]") }
        }
        #expect(decoded.effects.sweating == 0 && decoded.effects.swimming == 0)
        #expect(decoded.effects.uvExposure == FadeParameters.prior.effects.uvExposure)
        // An older calibration knows no habit effect: habits do not move its predictions.
        let withHabits = try FadePredictor().predict(
            subject: client(sweating: true, swimming: true), parameters: decoded, now: now)
        let without = try FadePredictor().predict(
            subject: client(sweating: nil, swimming: nil), parameters: decoded, now: now)
        #expect(withHabits.crossingDate == without.crossingDate)
    }
}
