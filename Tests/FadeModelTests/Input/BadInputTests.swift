import Foundation
import Testing
@testable import FadeModel

@Suite("Bad input")
struct BadInputTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let day = 86_400.0
    static let session = now.addingTimeInterval(-400 * day)
    static let good = FadeSubject(
        id: "c1", sessions: [session],
        observations: [FadeObservation(date: now.addingTimeInterval(-10 * day), density: 0.9)]
    )

    /// A bad subject with the error it must produce.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var subject: FadeSubject
        var expected: FadeError
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let future = now.addingTimeInterval(day)
        let early = session.addingTimeInterval(-day)
        let nan = Date(timeIntervalSinceReferenceDate: .nan)
        var result: [Case] = []
        func add(_ name: String, _ error: FadeError, _ change: (inout FadeSubject) -> Void) {
            var subject = good
            change(&subject)
            result.append(Case(name: name, subject: subject, expected: error))
        }
        add("observation before the first session", .observationBeforeFirstSession(subject: "c1", date: early)) {
            $0.observations.append(FadeObservation(date: early, density: 0.5))
        }
        add("observation without any session", .observationBeforeFirstSession(subject: "c1", date: now)) {
            $0.sessions = []
            $0.observations = [FadeObservation(date: now, density: 0.5)]
        }
        add("touch-up before the first session", .touchUpBeforeFirstSession(subject: "c1", date: early)) {
            $0.touchUps = [early]
        }
        add("density above 1", .densityOutOfRange(subject: "c1", date: now, density: 1.2)) {
            $0.observations.append(FadeObservation(date: now, density: 1.2))
        }
        add("negative density", .densityOutOfRange(subject: "c1", date: now, density: -0.1)) {
            $0.observations.append(FadeObservation(date: now, density: -0.1))
        }
        add("NaN density", .nonFiniteDensity(subject: "c1", date: now)) {
            $0.observations.append(FadeObservation(date: now, density: .nan))
        }
        add("infinite density", .nonFiniteDensity(subject: "c1", date: now)) {
            $0.observations.append(FadeObservation(date: now, density: .infinity))
        }
        add("future observation", .futureDate(subject: "c1", field: .observation, date: future, now: now)) {
            $0.observations.append(FadeObservation(date: future, density: 0.8))
        }
        add("future session", .futureDate(subject: "c1", field: .session, date: future, now: now)) {
            $0.sessions.append(future)
        }
        add("future touch-up", .futureDate(subject: "c1", field: .touchUp, date: future, now: now)) {
            $0.touchUps.append(future)
        }
        add("NaN session date", .nonFiniteDate(subject: "c1", field: .session)) { $0.sessions.append(nan) }
        add("NaN observation date", .nonFiniteDate(subject: "c1", field: .observation)) {
            $0.observations.append(FadeObservation(date: nan, density: 0.5))
        }
        add("NaN age", .invalidCovariate(subject: "c1", factor: .ageDecades, value: "nan")) {
            $0.covariates.age = .nan
        }
        add("dilution above 1", .invalidCovariate(subject: "c1", factor: .pigmentDilution, value: "1.5")) {
            $0.covariates.pigmentDilution = 1.5
        }
        return result
    }()

    @Test("each bad subject is rejected by prediction with its typed error", arguments: cases)
    func predictionRejects(_ bad: Case) {
        #expect(throws: bad.expected) {
            try FadePredictor().predict(subject: bad.subject, parameters: .prior, now: Self.now)
        }
    }

    @Test("each bad subject is rejected by calibration with its typed error", arguments: cases)
    func calibrationRejects(_ bad: Case) {
        #expect(throws: bad.expected) {
            try FadeCalibrator().calibrate(subjects: [Self.good, bad.subject], now: Self.now)
        }
    }

    @Test("a client without sessions gets not-enough-data with no numbers at all")
    func noSessionsIsNotEnoughData() throws {
        let prediction = try FadePredictor().predict(
            subject: FadeSubject(id: "new", sessions: []), parameters: .prior, now: Self.now
        )
        #expect(prediction.status == .notEnoughData(.noSessions))
        #expect(prediction.curve.isEmpty && prediction.crossingDate == nil && prediction.crossing == nil)
        #expect(prediction.isFinite)
    }

    @Test("thresholds outside (0, 1) or not finite are rejected", arguments: [0, 1, 1.5, -0.2, .nan, .infinity])
    func badThreshold(_ threshold: Double) {
        #expect(throws: FadeError.invalidThreshold("\(threshold)")) {
            try FadePredictor().predict(subject: Self.good, parameters: .prior, threshold: threshold, now: Self.now)
        }
    }

    @Test("a non-finite now is rejected")
    func nonFiniteNow() {
        #expect(throws: FadeError.nonFiniteNow) {
            try FadePredictor().predict(
                subject: Self.good, parameters: .prior, now: Date(timeIntervalSinceReferenceDate: .infinity)
            )
        }
    }

    @Test("corrupt parameters are rejected rather than producing NaN")
    func corruptParameters() {
        let corruptions: [(inout FadeParameters) -> Void] = [
            { $0.baseRate = .nan }, { $0.shape = 0 }, { $0.betweenClientSD = -1 }, { $0.observationSD = .infinity },
            { $0.effects.uvExposure = .nan }, { $0.estimateCovariance = [] }, { $0.healingDays = .nan },
        ]
        for corrupt in corruptions {
            var parameters = FadeParameters.prior
            corrupt(&parameters)
            #expect {
                try FadePredictor().predict(subject: Self.good, parameters: parameters, now: Self.now)
            } throws: { error in
                if case .invalidParameters = error as? FadeError { return true }
                return false
            }
        }
    }

    @Test("observations inside the healing window are set aside, not errors")
    func healingObservationsAreSkipped() throws {
        var subject = Self.good
        subject.observations.append(FadeObservation(date: Self.session.addingTimeInterval(5 * Self.day), density: 0.7))
        let prediction = try FadePredictor().predict(subject: subject, parameters: .prior, now: Self.now)
        #expect(prediction.observationsUsed == 1)
    }
}
