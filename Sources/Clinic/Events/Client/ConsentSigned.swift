import Foundation

/// The client signed a consent form covering some scopes.
public struct ConsentSigned: EventPayload {
    /// `client.consent-signed`.
    public static let typeName = "client.consent-signed"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// Identifies the signed form; testimonials refer to it.
    public var consentID: ConsentID
    /// Version of the consent form, e.g. `2025-02`.
    public var formVersion: String
    /// What the client consented to.
    public var scopes: [ConsentScope]
    /// Lower-case hex SHA-256 of the form's text signed; the decider fills it in from the published form. Nil on
    /// consents of logs whose clinic published no forms (and on version 1 events).
    public var contentHash: String?

    /// Creates the payload.
    public init(
        at: Date, consentID: ConsentID, formVersion: String, scopes: [ConsentScope], contentHash: String? = nil
    ) {
        self.contentHash = contentHash
        self.at = at
        self.consentID = consentID
        self.formVersion = formVersion
        self.scopes = scopes
    }
}
