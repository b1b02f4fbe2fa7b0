import Foundation

/// `client.registered` version 1 (2019–2024): name, e-mail, phone and birth date (as a midnight UTC timestamp)
/// were top-level fields. Version 2 groups them under `personal` so they can be encrypted as one part.
public struct ClientRegisteredV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    /// When it happened.
    public var at: Date
    /// Full name.
    public var name: String
    /// E-mail address.
    public var email: String?
    /// Phone number.
    public var phone: String?
    /// Birth date as a timestamp.
    public var dateOfBirth: Date
    /// How the client heard of the studio.
    public var referralSource: String?

    /// Moves the personal fields under `personal` and turns the birth timestamp into a calendar day (UTC).
    public func upcast() -> ClientRegistered {
        ClientRegistered(
            at: at,
            personal: PersonalDetails(
                fullName: name, contact: ContactDetails(email: email, phone: phone),
                dateOfBirth: CalendarDay(dateOfBirth)),
            referralSource: referralSource)
    }
}
