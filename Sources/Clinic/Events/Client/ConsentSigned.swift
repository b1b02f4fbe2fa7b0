import Foundation

/// The client signed a consent form covering some scopes.
public struct ConsentSigned: EventPayload {
    /// `client.consent-signed`.
    public static let typeName = "client.consent-signed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Identifies the signed form; testimonials refer to it.
    public var consentID: ConsentID
    /// Version of the consent form, e.g. `2025-02`.
    public var formVersion: String
    /// What the client consented to.
    public var scopes: [ConsentScope]

    /// Creates the payload.
    public init(at: Date, consentID: ConsentID, formVersion: String, scopes: [ConsentScope]) {
        self.at = at
        self.consentID = consentID
        self.formVersion = formVersion
        self.scopes = scopes
    }
}
