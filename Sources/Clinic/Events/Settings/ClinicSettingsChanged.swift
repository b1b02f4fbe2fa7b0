import Foundation

/// Staff changed the clinic's settings, clinic-wide or for one location (where the law differs), saying who and
/// why. Stream `settings-clinic`; the command handler folds it into every client decision.
public struct ClinicSettingsChanged: EventPayload {
    /// `settings.changed`.
    public static let typeName = "settings.changed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it takes effect, in business time.
    public var at: Date
    /// The location the values apply to; nil for the whole clinic (locations without their own value).
    public var locationID: LocationID?
    /// The values set; members left out keep their value.
    public var settings: SettingValues
    /// Who decided the change (a name or staff id, beside the API key recorded in the metadata).
    public var changedBy: String
    /// Why, e.g. the regulation that requires it.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, locationID: LocationID? = nil, settings: SettingValues, changedBy: String, reason: String) {
        self.at = at
        self.locationID = locationID
        self.settings = settings
        self.changedBy = changedBy
        self.reason = reason
    }
}
