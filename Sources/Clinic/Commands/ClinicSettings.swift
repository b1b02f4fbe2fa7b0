import Foundation

/// The settings the rules use. Recorded as `settings.changed` events on `settings-clinic` (clinic-wide and per
/// location, see `ClinicSettingsState`); `standard` holds the values before any change was recorded.
public struct ClinicSettings: Hashable, Sendable {
    /// Minimum days between two treatments of a course (and before a touch-up). Default 10.
    public var healingIntervalDays: Int
    /// The currency of accounts that have not moved money yet. Default USD.
    public var currency: Currency
    /// Minimum age on the treatment day. Default 18.
    public var minimumAge: Int
    /// Longest appointment accepted, in seconds. Default 8 hours; at most a day (the overlap index relies on it).
    public var maximumAppointmentDuration: TimeInterval
    /// A client's cancellation closer than this to the start is late (reported, and what a deposit policy uses).
    /// Default 48 hours.
    public var cancellationWindowHours: Int
    /// A medical screening is valid this many months from the day it was recorded; an older one must be renewed
    /// before a touch-up or a correction. Default 12.
    public var screeningValidityMonths: Int
    /// Years a client's records are kept after the last treatment (`stipple audit retention`). Default 10.
    public var retentionYears: Int
    /// The deposit policy; nil (the default) when deposits are taken by hand and never moved automatically.
    public var depositPolicy: DepositPolicy?

    /// Creates settings.
    public init(
        healingIntervalDays: Int = 10, currency: Currency = .usd, minimumAge: Int = 18,
        maximumAppointmentDuration: TimeInterval = 8 * 3600, cancellationWindowHours: Int = 48,
        screeningValidityMonths: Int = 12, retentionYears: Int = RetentionReview.defaultYears,
        depositPolicy: DepositPolicy? = nil
    ) {
        self.screeningValidityMonths = screeningValidityMonths
        self.cancellationWindowHours = cancellationWindowHours
        self.healingIntervalDays = healingIntervalDays
        self.currency = currency
        self.minimumAge = minimumAge
        self.maximumAppointmentDuration = min(maximumAppointmentDuration, BusinessTime.day)
        self.retentionYears = retentionYears
        self.depositPolicy = depositPolicy
    }

    /// The default settings.
    public static let standard = ClinicSettings()
}
