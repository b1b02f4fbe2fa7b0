import Foundation

/// `client.consent-signed` version 1: the form version only, no content hash.
public struct ConsentSignedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var consentID: ConsentID
    public var formVersion: String
    public var scopes: [ConsentScope]

    /// The same consent with an unknown content hash.
    public func upcast() -> ConsentSigned {
        ConsentSigned(at: at, consentID: consentID, formVersion: formVersion, scopes: scopes)
    }
}
