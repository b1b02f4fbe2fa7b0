import Foundation

import struct Clinic.SplitMix64
@testable import FadeModel

/// A synthetic clinic whose clients fade by known parameters, observed with noise.
struct SyntheticWorld: Sendable {
    /// A generated client with its true log decay rate.
    struct Client: Sendable {
        var subject: FadeSubject
        var trueLogRate: Double
    }

    /// The true parameters; covariates are centred on `truth.covariateMeans`.
    var truth: FadeParameters
    /// The time all data are generated up to.
    var now: Date

    static let reference = Date(timeIntervalSince1970: 1_420_070_400)  // 2015-01-01
    static let day = 86_400.0
    static let year = FadeTimeline.secondsPerYear

    /// An exponential world with covariate effects differing from the prior.
    static let exponential = SyntheticWorld(
        truth: FadeParameters(
            form: .exponential, baseRate: 0.14, shape: 1,
            effects: FactorValues(
                uvExposure: 0.20, fitzpatrick: -0.04, oiliness: 0.12, ageDecades: 0.05, pigmentDilution: 0.45,
                sessions: -0.08, scarring: 0.25
            ),
            covariateMeans: FadeParameters.prior.covariateMeans, betweenClientSD: 0.25, observationSD: 0.04,
            healingDays: 28, estimateCovariance: FadeParameters.prior.estimateCovariance
        ),
        now: reference.addingTimeInterval(10 * year)
    )

    /// A Weibull world (γ = 0.65): fast early fading that slows down.
    static let weibull: SyntheticWorld = {
        var world = exponential
        world.truth.form = .weibull
        world.truth.shape = 0.65
        world.truth.baseRate = 0.09
        return world
    }()

    /// The true k0 re-expressed for covariates centred on `means` (the calibration's centring).
    func trueBaseRate(centredOn means: FactorValues) -> Double {
        var shift = 0.0
        for factor in FadeFactor.allCases {
            shift += truth.effects[factor] * (means[factor] - truth.covariateMeans[factor])
        }
        return truth.baseRate * exp(shift)
    }

    /// The true log rate of a client.
    func logRate(of subject: FadeSubject, ownEffect: Double) -> Double {
        truth.meanLogRate(features: truth.centeredFeatures(of: subject)) + ownEffect
    }

    /// The true density of a client with log rate `eta` at `date`.
    func trueDensity(subject: FadeSubject, eta: Double, at date: Date) -> Double? {
        guard let timeline = try? FadeTimeline.make(subject: subject, healingDays: truth.healingDays, now: now),
            let years = timeline.decayYears(at: date)
        else { return nil }
        return DecayCurve.density(years: years, eta: eta, gamma: truth.effectiveShape)
    }

    /// The true date density crosses `threshold` after the client's latest anchor.
    func trueCrossing(of client: Client, threshold: Double = 0.6) -> Date? {
        guard let timeline = try? FadeTimeline.make(subject: client.subject, healingDays: truth.healingDays, now: now)
        else { return nil }
        let years = exp(
            DecayCurve.logCrossingYears(threshold: threshold, eta: client.trueLogRate, gamma: truth.effectiveShape))
        return timeline.lastDecayStart.addingTimeInterval(years * Self.year)
    }

    /// Generates `count` clients.
    ///
    /// - Parameters:
    ///   - observations: how many follow-ups each client gets.
    ///   - followUpYears: the span after the healed baseline in which follow-ups fall.
    ///   - touchUpShare: the share of clients who had a touch-up 3–4 years after their course.
    func clients(
        count: Int, seed: UInt64, observations: ClosedRange<Int>, followUpYears: ClosedRange<Double>,
        touchUpShare: Double = 0.3, unknownShare: Double = 0
    ) -> [Client] {
        var rng = SplitMix64(seed: seed)
        var result: [Client] = []
        for index in 0..<count {
            func known() -> Bool { rng.uniform() >= unknownShare }
            let start = Self.reference.addingTimeInterval(rng.uniform(0...3) * Self.year)
            let sessionCount = 2 + Int(rng.uniform() * 3)
            let sessions = (0..<sessionCount).map { start.addingTimeInterval(Double($0) * 14 * Self.day) }
            let covariates = Covariates(
                uvExposure: UVExposure(rawValue: Int(rng.uniform() * 4)),
                fitzpatrick: FitzpatrickType(rawValue: 1 + Int(rng.uniform() * 6)),
                oiliness: ScalpOiliness(rawValue: Int(rng.uniform() * 4)),
                age: rng.uniform(22...68),
                pigmentDilution: rng.uniform(0...0.7),
                scarring: rng.uniform() < 0.12
            )
            var subject = FadeSubject(id: "client-\(seed)-\(index)", sessions: sessions, covariates: covariates)
            let eta = logRate(of: subject, ownEffect: truth.betweenClientSD * rng.normal())
            // Hide some covariates from the model after the truth has used them.
            var seen = covariates
            if !known() { seen.uvExposure = nil }
            if !known() { seen.fitzpatrick = nil }
            if !known() { seen.oiliness = nil }
            if !known() { seen.age = nil }
            if !known() { seen.pigmentDilution = nil }
            if !known() { seen.scarring = nil }
            let decayStart = sessions[sessions.count - 1].addingTimeInterval(truth.healingDays * Self.day)
            if rng.uniform() < touchUpShare {
                subject.touchUps = [decayStart.addingTimeInterval(rng.uniform(3...4) * Self.year)]
            }
            let n =
                observations.lowerBound
                + Int(rng.uniform() * Double(observations.upperBound - observations.lowerBound + 1))
            var points: [FadeObservation] = []
            for _ in 0..<n {
                let date = decayStart.addingTimeInterval(rng.uniform(followUpYears) * Self.year)
                guard date <= now, let density = trueDensity(subject: subject, eta: eta, at: date) else { continue }
                let noisy = min(max(density + truth.observationSD * rng.normal(), 0), 1)
                points.append(FadeObservation(date: date, density: noisy))
            }
            subject.observations = points.sorted { $0.date < $1.date }
            subject.covariates = seen
            result.append(Client(subject: subject, trueLogRate: eta))
        }
        return result
    }
}
