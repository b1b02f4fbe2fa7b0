import Foundation

/// A studio location opened.
public struct LocationOpened: EventPayload {
    /// `location.opened`.
    public static let typeName = "location.opened"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Name.
    public var name: String
    /// City.
    public var city: String
    /// IANA time zone, e.g. `America/New_York`.
    public var timeZone: String
    /// Currency it charges in.
    public var currency: Currency

    /// Creates the payload.
    public init(at: Date, name: String, city: String, timeZone: String, currency: Currency) {
        self.at = at
        self.name = name
        self.city = city
        self.timeZone = timeZone
        self.currency = currency
    }
}
