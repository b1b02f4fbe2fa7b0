import Foundation
import PropertyBased
import Testing

@testable import FadeModel

@Suite("A prediction made without its curve, and the curve sampled again on reading it")
struct CurveOnReadTests {
    let now = RandomSubjects.now

    @Test("without the curve every other member is the one predicted with it")
    func sameButTheCurve() async {
        await propertyCheck(count: 80, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let subject = RandomSubjects.subject(seed: seed)
            let parameters = RandomSubjects.parameters(seed: seed)
            guard let full = try? FadePredictor().predict(subject: subject, parameters: parameters, now: now) else {
                Issue.record("valid subject \(seed) was rejected")
                return
            }
            let bare = try? FadePredictor().predict(
                subject: subject, parameters: parameters, now: now, withCurve: false)
            #expect(bare?.curve.isEmpty == true)
            var emptied = full
            emptied.curve = []
            #expect(bare == emptied)
        }
    }

    @Test("the curve sampled again from the same inputs is the one predicted with it")
    func sampledAgain() async {
        await propertyCheck(count: 80, input: Gen.uint64(in: 0...UInt64.max), Gen.double(in: 0.2...0.8)) {
            seed, threshold in
            let subject = RandomSubjects.subject(seed: seed)
            let parameters = RandomSubjects.parameters(seed: seed)
            guard
                let full = try? FadePredictor().predict(
                    subject: subject, parameters: parameters, threshold: threshold, now: now),
                let bare = try? FadePredictor().predict(
                    subject: subject, parameters: parameters, threshold: threshold, now: now, withCurve: false)
            else {
                Issue.record("valid subject \(seed) was rejected")
                return
            }
            #expect(!full.curve.isEmpty)
            // The prediction's own threshold, not the default's: the curve is the full prediction's.
            #expect(bare.withCurve(subject: subject, parameters: parameters, now: now) == full)
        }
    }

    @Test("no curve from other parameters, nor for a prediction that has one or has nothing predicted")
    func unchanged() throws {
        let subject = RandomSubjects.subject(seed: 7)
        let parameters = RandomSubjects.parameters(seed: 7)
        let bare = try FadePredictor().predict(subject: subject, parameters: parameters, now: now, withCurve: false)
        var other = parameters
        other.baseRate *= 1.5
        #expect(bare.withCurve(subject: subject, parameters: other, now: now) == bare, "a faster rate: another date")
        var weibull = parameters
        weibull.form = parameters.form == .weibull ? .exponential : .weibull
        #expect(bare.withCurve(subject: subject, parameters: weibull, now: now).curve.isEmpty)
        let full = try FadePredictor().predict(subject: subject, parameters: parameters, now: now)
        #expect(full.withCurve(subject: subject, parameters: other, now: now) == full)
        var none = subject
        none.sessions = []
        none.touchUps = []
        none.observations = []
        let nothing = try FadePredictor().predict(subject: none, parameters: parameters, now: now, withCurve: false)
        #expect(nothing.status == .notEnoughData(.noSessions))
        #expect(nothing.withCurve(subject: subject, parameters: parameters, now: now) == nothing)
    }

    @Test("the curve depends on when the prediction was made once it is past the crossing's 90th percentile")
    func nowMatters() throws {
        let subject = RandomSubjects.subject(seed: 11)
        let parameters = FadeParameters.prior
        let bare = try FadePredictor().predict(subject: subject, parameters: parameters, now: now, withCurve: false)
        let high = try #require(bare.intervalHigh)
        let later = max(now, high).addingTimeInterval(400 * 86_400)
        let full = try FadePredictor().predict(subject: subject, parameters: parameters, now: later)
        // Made later, the curve reaches half a year past that later time: another curve than at `now`.
        let madeLater = try FadePredictor().predict(
            subject: subject, parameters: parameters, now: later, withCurve: false)
        #expect(madeLater.withCurve(subject: subject, parameters: parameters, now: later) == full)
        #expect(madeLater.withCurve(subject: subject, parameters: parameters, now: now).curve != full.curve)
    }
}
