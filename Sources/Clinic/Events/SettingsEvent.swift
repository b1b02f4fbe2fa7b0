import Foundation

/// An event on the clinic settings stream (`settings-clinic`).
public enum SettingsEvent: Hashable, Sendable {
    /// `settings.changed` v1.
    case changed(ClinicSettingsChanged)
    /// `settings.consent-form-published` v1.
    case consentFormPublished(ConsentFormPublished)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .changed(let payload): payload
        case .consentFormPublished(let payload): payload
        }
    }

    /// When it happened, in business time.
    public var at: Date { payload.at }
}
