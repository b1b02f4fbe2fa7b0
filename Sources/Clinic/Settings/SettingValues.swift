import Foundation

/// Settings a `settings.changed` event sets: each nil member keeps its value.
public struct SettingValues: Hashable, Sendable, Codable {
    /// Minimum age in completed years on the treatment day.
    public var minimumAge: Int?
    /// Minimum days between two treatments.
    public var healingIntervalDays: Int?
    /// Months a medical screening stays valid (older ones are renewed before a touch-up or a correction).
    public var screeningValidityMonths: Int?
    /// Hours before the start inside which a client's cancellation is late.
    public var cancellationWindowHours: Int?
    /// Years client records are kept after the last treatment.
    public var retentionYears: Int?
    /// The deposit policy.
    public var depositPolicy: DepositPolicy?

    /// Creates values.
    public init(
        minimumAge: Int? = nil, healingIntervalDays: Int? = nil, screeningValidityMonths: Int? = nil,
        cancellationWindowHours: Int? = nil, retentionYears: Int? = nil, depositPolicy: DepositPolicy? = nil
    ) {
        self.minimumAge = minimumAge
        self.healingIntervalDays = healingIntervalDays
        self.screeningValidityMonths = screeningValidityMonths
        self.cancellationWindowHours = cancellationWindowHours
        self.retentionYears = retentionYears
        self.depositPolicy = depositPolicy
    }

    /// True when no member is set.
    public var isEmpty: Bool { self == SettingValues() }

    /// The allowed range of each whole-number setting; the decider refuses values outside it.
    public static var ranges: [(name: String, range: ClosedRange<Int>, value: KeyPath<SettingValues, Int?>)] {
        [
            ("minimumAge", 16...30, \.minimumAge),
            ("healingIntervalDays", 1...120, \.healingIntervalDays),
            ("screeningValidityMonths", 1...60, \.screeningValidityMonths),
            ("cancellationWindowHours", 0...336, \.cancellationWindowHours),
            ("retentionYears", 1...100, \.retentionYears),
        ]
    }

    /// `settings` with every member that is set applied.
    public func applied(to settings: ClinicSettings) -> ClinicSettings {
        var result = settings
        if let minimumAge { result.minimumAge = minimumAge }
        if let healingIntervalDays { result.healingIntervalDays = healingIntervalDays }
        if let screeningValidityMonths { result.screeningValidityMonths = screeningValidityMonths }
        if let cancellationWindowHours { result.cancellationWindowHours = cancellationWindowHours }
        if let retentionYears { result.retentionYears = retentionYears }
        if let depositPolicy { result.depositPolicy = depositPolicy }
        return result
    }

    /// These values with `newer`'s set members on top.
    public func merged(with newer: SettingValues) -> SettingValues {
        SettingValues(
            minimumAge: newer.minimumAge ?? minimumAge,
            healingIntervalDays: newer.healingIntervalDays ?? healingIntervalDays,
            screeningValidityMonths: newer.screeningValidityMonths ?? screeningValidityMonths,
            cancellationWindowHours: newer.cancellationWindowHours ?? cancellationWindowHours,
            retentionYears: newer.retentionYears ?? retentionYears,
            depositPolicy: newer.depositPolicy ?? depositPolicy)
    }
}
