import Foundation
@testable import FadeModel

/// Synthetic populations and their calibrations, computed once and shared by the suites.
enum Fixtures {
    /// Training clients of the exponential world: 300 clients, 2–7 follow-ups over 6 years.
    static let exponentialTraining = SyntheticWorld.exponential.clients(
        count: 300, seed: 11, observations: 2...7, followUpYears: 0.25...6
    )

    /// Held-out clients of the exponential world: 200 clients, 0–3 follow-ups in the first 2 years.
    static let exponentialHeldOut = SyntheticWorld.exponential.clients(
        count: 200, seed: 12, observations: 0...3, followUpYears: 0.25...2
    )

    /// Calibration on the exponential training clients (both forms fitted, one chosen).
    static let exponentialCalibration = Result<FadeCalibration, FadeError> { () throws(FadeError) -> FadeCalibration in
        try FadeCalibrator().calibrate(
            subjects: exponentialTraining.map(\.subject), now: SyntheticWorld.exponential.now
        )
    }

    /// Training clients of the Weibull world: 250 clients, 2–7 follow-ups over 6 years.
    static let weibullTraining = SyntheticWorld.weibull.clients(
        count: 250, seed: 21, observations: 2...7, followUpYears: 0.25...6
    )

    /// Calibration on the Weibull training clients.
    static let weibullCalibration = Result<FadeCalibration, FadeError> { () throws(FadeError) -> FadeCalibration in
        try FadeCalibrator().calibrate(subjects: weibullTraining.map(\.subject), now: SyntheticWorld.weibull.now)
    }
}
