import Foundation
import Testing
@testable import FadeModel

/// Recovery on synthetic clinics generated from known parameters with noisy observations.
///
/// Stated tolerances (also in docs/fade-model.md): k0 within 10%, each β within max(0.1, 3 standard
/// errors), γ within 0.06, τ within 20%, σ within 15%; 80% intervals cover 70–90% of held-out clients.
@Suite("Calibration on synthetic clinics")
struct CalibrationTests {
    func expectRecovered(_ calibration: FadeCalibration, world: SyntheticWorld) {
        let fitted = calibration.parameters
        let truth = world.truth
        let trueRate = world.trueBaseRate(centredOn: fitted.covariateMeans)
        #expect(abs(fitted.baseRate / trueRate - 1) < 0.10, "k0 \(fitted.baseRate) vs \(trueRate)")
        for factor in FadeFactor.allCases {
            let se = fitted.estimateCovariance[factor.index + 1][factor.index + 1].squareRoot()
            let error = abs(fitted.effects[factor] - truth.effects[factor])
            #expect(error < max(0.1, 3 * se), "β \(factor): \(fitted.effects[factor]) vs \(truth.effects[factor])")
        }
        #expect(abs(fitted.effectiveShape - truth.effectiveShape) < 0.06, "γ \(fitted.shape)")
        #expect(abs(fitted.betweenClientSD / truth.betweenClientSD - 1) < 0.20, "τ \(fitted.betweenClientSD)")
        #expect(abs(fitted.observationSD / truth.observationSD - 1) < 0.15, "σ \(fitted.observationSD)")
        #expect(calibration.converged)
    }

    @Test("recovers the exponential world's population parameters within the stated tolerances")
    func recoversExponentialWorld() throws {
        let calibration = try Fixtures.exponentialCalibration.get()
        #expect(calibration.parameters.form == .exponential)
        expectRecovered(calibration, world: .exponential)
    }

    @Test("recovers the Weibull world's population parameters within the stated tolerances")
    func recoversWeibullWorld() throws {
        let calibration = try Fixtures.weibullCalibration.get()
        #expect(calibration.parameters.form == .weibull)
        expectRecovered(calibration, world: .weibull)
    }

    @Test("gives 80% intervals that contain the true crossing date for 70–90% of held-out clients")
    func intervalsCoverHeldOutClients() throws {
        let parameters = try Fixtures.exponentialCalibration.get().parameters
        let world = SyntheticWorld.exponential
        var covered = 0
        var total = 0
        for client in Fixtures.exponentialHeldOut {
            let prediction = try FadePredictor().predict(
                subject: client.subject, parameters: parameters, now: world.now)
            let truth = try #require(world.trueCrossing(of: client))
            let low = try #require(prediction.intervalLow)
            let high = try #require(prediction.intervalHigh)
            total += 1
            if low <= truth && truth <= high { covered += 1 }
        }
        let coverage = Double(covered) / Double(total)
        #expect(total == 200)
        #expect(coverage >= 0.70 && coverage <= 0.90, "coverage \(coverage)")
    }

    @Test("leans more on a client's own data the more observations the client has")
    func shrinksSparseClientsTowardThePopulation() throws {
        let clients = try Fixtures.exponentialCalibration.get().clients
        let sparse = clients.filter { $0.observationCount <= 2 }.map(\.ownDataWeight)
        let rich = clients.filter { $0.observationCount >= 6 }.map(\.ownDataWeight)
        try #require(!sparse.isEmpty && !rich.isEmpty)
        let sparseMean = sparse.reduce(0, +) / Double(sparse.count)
        let richMean = rich.reduce(0, +) / Double(rich.count)
        #expect(richMean > sparseMean + 0.05)
        #expect(clients.allSatisfy { (0...1).contains($0.ownDataWeight) && $0.logRate.isFinite })
    }

    @Test("recovers each client's own rate better than the covariates alone")
    func ownRatesBeatCovariatesAlone() throws {
        let calibration = try Fixtures.exponentialCalibration.get()
        var ownError = 0.0
        var populationError = 0.0
        for (client, posterior) in zip(Fixtures.exponentialTraining, calibration.clients) {
            #expect(client.subject.id == posterior.id)
            ownError += pow(posterior.logRate - client.trueLogRate, 2)
            populationError += pow(posterior.logRate - posterior.ownEffect - client.trueLogRate, 2)
        }
        #expect(ownError < 0.5 * populationError)
    }

    @Test("gives the same parameters when run twice on the same data")
    func isDeterministic() throws {
        let subjects = Array(Fixtures.exponentialTraining.prefix(60)).map(\.subject)
        let calibrator = FadeCalibrator(formChoice: .fixed(.exponential))
        let first = try calibrator.calibrate(subjects: subjects, now: SyntheticWorld.exponential.now)
        let second = try calibrator.calibrate(subjects: subjects, now: SyntheticWorld.exponential.now)
        #expect(first == second)
    }

    @Test("keeps the exponential form on exponential data and picks Weibull on Weibull data")
    func choosesTheGeneratingForm() throws {
        let exponential = try #require(try Fixtures.exponentialCalibration.get().comparison)
        let weibull = try #require(try Fixtures.weibullCalibration.get().comparison)
        #expect(exponential.chosen == .exponential)
        #expect(exponential.pValue > 0.05)
        #expect(weibull.chosen == .weibull)
        #expect(weibull.pValue < 0.001)
        #expect(weibull.weibull.aic < weibull.exponential.aic)
        #expect(weibull.weibull.bic < weibull.exponential.bic)
    }

    @Test("refuses to calibrate on too few observations, so callers keep the prior")
    func refusesTooLittleData() throws {
        let subjects = Array(Fixtures.exponentialTraining.prefix(2)).map(\.subject)
        #expect {
            try FadeCalibrator().calibrate(subjects: subjects, now: SyntheticWorld.exponential.now)
        } throws: { error in
            if case .notEnoughData = error as? FadeError { return true }
            return false
        }
    }
}
