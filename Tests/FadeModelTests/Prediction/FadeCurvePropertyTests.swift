import Foundation
import PropertyBased
import Testing
@testable import FadeModel

@Suite("Properties of predicted curves")
struct FadeCurvePropertyTests {
    let now = RandomSubjects.now

    @Test("density never rises after the last session while no touch-up happens")
    func densityDecreasesAfterLastSession() async {
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var subject = RandomSubjects.subject(seed: seed)
            subject.touchUps = []
            let parameters = RandomSubjects.parameters(seed: seed)
            guard let prediction = try? FadePredictor().predict(subject: subject, parameters: parameters, now: now)
            else {
                Issue.record("valid subject \(seed) was rejected")
                return
            }
            let densities = prediction.curve.map(\.density)
            #expect(zip(densities, densities.dropFirst()).allSatisfy { $0 >= $1 })
            #expect(prediction.curve.allSatisfy { $0.low <= $0.density && $0.density <= $0.high })
        }
    }

    @Test("more UV exposure never predicts a later touch-up")
    func moreUVNeverLater() async throws {
        let calibrated = try Fixtures.exponentialCalibration.get().parameters
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.bool) { seed, useCalibrated in
            let parameters = useCalibrated ? calibrated : RandomSubjects.parameters(seed: seed)
            let dates = UVExposure.allCases.compactMap { level in
                let subject = RandomSubjects.subject(seed: seed, uv: level)
                return try? FadePredictor().predict(subject: subject, parameters: parameters, now: now).crossingDate
            }
            #expect(dates.count == UVExposure.allCases.count)
            #expect(zip(dates, dates.dropFirst()).allSatisfy { $0 >= $1 })
        }
    }

    @Test("a touch-up resets the curve upward to full density and keeps the client's learned rate")
    func touchUpResetsUpward() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max), Gen.double(in: 0.1...0.9)) { seed, when in
            var subject = RandomSubjects.subject(seed: seed)
            subject.touchUps = []
            let parameters = RandomSubjects.parameters(seed: seed)
            guard let before = try? FadePredictor().predict(subject: subject, parameters: parameters, now: now),
                let start = before.curve.first?.date
            else { return }
            let touchUp = start.addingTimeInterval(when * now.timeIntervalSince(start))
            guard touchUp > start else { return }  // a touch-up on the last session's day is part of the course
            subject.touchUps = [touchUp]
            guard let after = try? FadePredictor().predict(subject: subject, parameters: parameters, now: now),
                let atTouchUp = after.curve.first(where: { $0.date == touchUp }),
                let justBefore = after.curve.last(where: { $0.date < touchUp })
            else {
                let result = Result { () throws(FadeError) in
                    try FadePredictor().predict(subject: subject, parameters: parameters, now: now)
                }
                Issue.record("touch-up point missing for seed \(seed): \(result)")
                return
            }
            #expect(atTouchUp.density == 1)
            #expect(justBefore.density <= atTouchUp.density)
            // With every observation before the touch-up, the learned rate is the same, so the years from
            // decay start to crossing agree.
            if subject.observations.allSatisfy({ $0.date < touchUp }) {
                let a = after.crossing?.logMedianYears ?? .nan
                let b = before.crossing?.logMedianYears ?? .nan
                #expect(abs(a - b) < 1e-9)
            }
        }
    }

    @Test("predictions are finite for every valid input")
    func predictionsAreFinite() async {
        await propertyCheck(count: 150, input: Gen.uint64(in: 0...UInt64.max), Gen.double(in: 0.01...0.99)) {
            seed, threshold in
            let subject = RandomSubjects.subject(seed: seed)
            let parameters = RandomSubjects.parameters(seed: seed)
            do {
                let prediction = try FadePredictor().predict(
                    subject: subject, parameters: parameters, threshold: threshold, now: now
                )
                #expect(prediction.isFinite)
                #expect(prediction.status == .predicted)
                #expect(prediction.curve.allSatisfy { (0...1).contains($0.low) && (0...1).contains($0.high) })
                let low = try #require(prediction.intervalLow)
                let median = try #require(prediction.crossingDate)
                let high = try #require(prediction.intervalHigh)
                #expect(low <= median && median <= high)
                let json = try JSONEncoder().encode(prediction)
                #expect(try JSONDecoder().decode(FadePrediction.self, from: json) == prediction)
            } catch {
                Issue.record("valid input rejected: \(error)")
            }
        }
    }

    @Test("observations of faster fading bring the touch-up earlier than the prior alone")
    func fastFadingObservationsBringTouchUpEarlier() throws {
        let start = now.addingTimeInterval(-3 * FadeTimeline.secondsPerYear)
        var subject = FadeSubject(id: "fast", sessions: [start])
        let plain = try FadePredictor().predict(subject: subject, parameters: .prior, now: now)
        subject.observations = [1, 2, 2.5].map { years in
            FadeObservation(
                date: start.addingTimeInterval(years * FadeTimeline.secondsPerYear), density: 1 - 0.2 * years)
        }
        let informed = try FadePredictor().predict(subject: subject, parameters: .prior, now: now)
        #expect(try #require(informed.crossingDate) < (try #require(plain.crossingDate)))
        #expect(informed.ownDataWeight > 0.5)
        #expect(informed.drivers.contains { $0.source == .ownObservations && $0.shiftDays < 0 })
    }
}
