import Foundation

import struct Clinic.SplitMix64
@testable import FadeModel

/// Random but valid subjects and parameters for property tests, built from a seed.
enum RandomSubjects {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)  // mid 2025
    static let day = 86_400.0

    /// A valid subject: 1–4 sessions up to 12 years ago, 0–2 touch-ups, some unknown covariates,
    /// 0–8 observations anywhere between the first session and now (densities 0...1, ends included).
    static func subject(seed: UInt64, uv: UVExposure? = nil) -> FadeSubject {
        var rng = SplitMix64(seed: seed)
        let first = now.addingTimeInterval(-rng.uniform(0...12 * 365) * day)
        let sessions = (0..<(1 + Int(rng.uniform() * 4))).map { first.addingTimeInterval(Double($0) * 21 * day) }
            .filter { $0 <= now }
        let span = now.timeIntervalSince(first)
        let touchUps = (0..<Int(rng.uniform() * 3)).map { _ in first.addingTimeInterval(rng.uniform(0...1) * span) }
        let observations = (0..<Int(rng.uniform() * 9)).map { _ in
            let roll = rng.uniform()
            let density = roll < 0.05 ? 0 : roll > 0.95 ? 1 : rng.uniform()
            return FadeObservation(date: first.addingTimeInterval(rng.uniform(0...1) * span), density: density)
        }
        func maybe<T>(_ value: T) -> T? { rng.uniform() < 0.25 ? nil : value }
        let covariates = Covariates(
            uvExposure: uv ?? maybe(UVExposure(rawValue: Int(rng.uniform() * 4)) ?? .low),
            fitzpatrick: maybe(FitzpatrickType(rawValue: 1 + Int(rng.uniform() * 6)) ?? .iii),
            oiliness: maybe(ScalpOiliness(rawValue: Int(rng.uniform() * 4)) ?? .normal),
            age: maybe(rng.uniform(0...120)),
            pigmentDilution: maybe(rng.uniform(0...1)),
            scarring: maybe(rng.uniform() < 0.5)
        )
        return FadeSubject(
            id: "random-\(seed)", sessions: sessions, touchUps: touchUps, covariates: covariates,
            observations: observations
        )
    }

    /// Valid parameters: the prior with its rate, shape and spreads varied over wide ranges.
    static func parameters(seed: UInt64) -> FadeParameters {
        var rng = SplitMix64(seed: seed ^ 0xABCD)
        var parameters = FadeParameters.prior
        parameters.form = rng.uniform() < 0.5 ? .exponential : .weibull
        parameters.baseRate = exp(rng.uniform(log(0.01)...log(3)))
        parameters.shape = rng.uniform(0.3...2)
        parameters.betweenClientSD = rng.uniform(0.02...1.5)
        parameters.observationSD = rng.uniform(0.005...0.3)
        parameters.effects.uvExposure = rng.uniform(0...1)
        return parameters
    }
}
