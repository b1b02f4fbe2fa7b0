import Foundation

/// A client was registered. Version 2 moved name, contact and birth date into `personal`; version 1 is upcast.
public struct ClientRegistered: EventPayload {
    /// `client.registered`.
    public static let typeName = "client.registered"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// Personal data (encrypt with the client's key).
    public var personal: PersonalDetails
    /// How the client heard of the studio.
    public var referralSource: String?
    /// The location the client prefers.
    public var preferredLocationID: LocationID?

    /// Creates the payload.
    public init(
        at: Date, personal: PersonalDetails, referralSource: String? = nil, preferredLocationID: LocationID? = nil
    ) {
        self.at = at
        self.personal = personal
        self.referralSource = referralSource
        self.preferredLocationID = preferredLocationID
    }
}
