import Foundation

/// What the clinic settings stream says: the clinic-wide values and each location's own, folded from
/// `settings.changed` events over the defaults the application starts from.
public struct ClinicSettingsState: Hashable, Sendable {
    /// The values before any recorded change (`ClinicSettings.standard` unless configured otherwise).
    public let defaults: ClinicSettings
    /// Clinic-wide values recorded.
    public internal(set) var clinicWide = SettingValues()
    /// Each location's own values, over the clinic-wide ones.
    public internal(set) var byLocation: [LocationID: SettingValues] = [:]
    /// Every change, oldest first (who, why, when).
    public internal(set) var changes: [ClinicSettingsChanged] = []
    /// The consent forms published.
    public internal(set) var consentForms = ConsentForms()
    /// Number of events folded.
    public internal(set) var version = 0

    /// The state of a settings stream with no events.
    public init(defaults: ClinicSettings = .standard) {
        self.defaults = defaults
    }

    /// The clinic-wide settings.
    public var settings: ClinicSettings { clinicWide.applied(to: defaults) }

    /// The settings at a location: its own values over the clinic-wide ones.
    public func settings(at location: LocationID?) -> ClinicSettings {
        guard let location, let own = byLocation[location] else { return settings }
        return own.applied(to: settings)
    }

    /// Every location with values of its own, with its settings.
    public var locationSettings: [LocationID: ClinicSettings] {
        byLocation.reduce(into: [:]) { result, entry in result[entry.key] = settings(at: entry.key) }
    }

    /// Folds one event in place.
    public mutating func apply(_ event: SettingsEvent) {
        version += 1
        switch event {
        case .changed(let e):
            changes.append(e)
            if let location = e.locationID {
                byLocation[location] = (byLocation[location] ?? SettingValues()).merged(with: e.settings)
            } else {
                clinicWide = clinicWide.merged(with: e.settings)
            }
        case .consentFormPublished(let e):
            consentForms.add(e)
        }
    }

    /// Folds events into a new state.
    public static func replay(defaults: ClinicSettings = .standard, _ events: some Sequence<SettingsEvent>)
        -> ClinicSettingsState
    {
        var state = ClinicSettingsState(defaults: defaults)
        for event in events { state.apply(event) }
        return state
    }
}
