/// A request to change the clinic settings stream.
public enum SettingsCommand: Hashable, Sendable {
    /// Change settings clinic-wide or for one location.
    case change(ClinicSettingsChanged)
    /// Publish a consent form version.
    case publishConsentForm(ConsentFormPublished)
}
