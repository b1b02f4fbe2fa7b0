import Foundation

/// Why the fade model refused its input; each case names the subject and says what to fix.
public enum FadeError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The `now` passed in is not a finite date.
    case nonFiniteNow
    /// A date is NaN or infinite.
    case nonFiniteDate(subject: String, field: FadeDateField)
    /// A date lies after `now`: record it once it has happened.
    case futureDate(subject: String, field: FadeDateField, date: Date, now: Date)
    /// An observation is dated before the first course session (or there are no sessions).
    case observationBeforeFirstSession(subject: String, date: Date)
    /// A touch-up is dated before the first course session (or there are no sessions).
    case touchUpBeforeFirstSession(subject: String, date: Date)
    /// A density is NaN or infinite.
    case nonFiniteDensity(subject: String, date: Date)
    /// A density lies outside 0...1.
    case densityOutOfRange(subject: String, date: Date, density: Double)
    /// A covariate is NaN, infinite or out of range (age 0...120, dilution 0...1).
    case invalidCovariate(subject: String, factor: FadeFactor, value: String)
    /// The touch-up threshold must be a finite number strictly between 0 and 1.
    case invalidThreshold(String)
    /// The parameters are out of range (corrupt storage or a hand edit).
    case invalidParameters(String)
    /// Calibration needs more follow-up observations; keep using the prior meanwhile.
    case notEnoughData(String)
    /// The optimiser failed to produce finite numbers (should not happen; please report the data).
    case numericalFailure(String)

    /// A sentence saying what is wrong and what to do.
    public var description: String {
        switch self {
        case .nonFiniteNow:
            "`now` is not a finite date; pass the current time explicitly."
        case let .nonFiniteDate(subject, field):
            "Subject \(subject): a \(field.rawValue) date is not finite; fix the date."
        case let .futureDate(subject, field, date, now):
            "Subject \(subject): \(field.rawValue) on \(date) is after now (\(now)); record it once it happened."
        case let .observationBeforeFirstSession(subject, date):
            "Subject \(subject): observation on \(date) precedes the first session; check the dates."
        case let .touchUpBeforeFirstSession(subject, date):
            "Subject \(subject): touch-up on \(date) precedes the first session; record it as a session."
        case let .nonFiniteDensity(subject, date):
            "Subject \(subject): density on \(date) is not a finite number; re-score the photo."
        case let .densityOutOfRange(subject, date, density):
            "Subject \(subject): density \(density) on \(date) is outside 0...1; re-score the photo."
        case let .invalidCovariate(subject, factor, value):
            "Subject \(subject): \(factor.rawValue) value \(value) is not valid; correct or leave unknown."
        case let .invalidThreshold(value):
            "Threshold \(value) must lie strictly between 0 and 1."
        case let .invalidParameters(reason):
            "Fade parameters are invalid: \(reason); recalibrate or use the prior."
        case let .notEnoughData(reason):
            "Not enough data to calibrate: \(reason); keep using the prior."
        case let .numericalFailure(reason):
            "Fade model numerical failure: \(reason)."
        }
    }
}
