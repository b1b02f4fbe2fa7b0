import Foundation

/// The weekly opening hours were set.
public struct LocationHoursSet: EventPayload {
    /// `location.hours-set`.
    public static let typeName = "location.hours-set"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Hours per weekday; a missing weekday is closed.
    public var hours: [OpeningHours]

    /// Creates the payload.
    public init(at: Date, hours: [OpeningHours]) {
        self.at = at
        self.hours = hours
    }
}
