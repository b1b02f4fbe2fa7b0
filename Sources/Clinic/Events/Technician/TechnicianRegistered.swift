import Foundation

/// A technician joined.
public struct TechnicianRegistered: EventPayload {
    /// `technician.registered`.
    public static let typeName = "technician.registered"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Name shown on schedules.
    public var displayName: String
    /// Usual location.
    public var homeLocationID: LocationID?

    /// Creates the payload.
    public init(at: Date, displayName: String, homeLocationID: LocationID? = nil) {
        self.at = at
        self.displayName = displayName
        self.homeLocationID = homeLocationID
    }
}
