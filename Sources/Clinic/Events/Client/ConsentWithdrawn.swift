import Foundation

/// The client withdrew consent for some scopes.
public struct ConsentWithdrawn: EventPayload {
    /// `client.consent-withdrawn`.
    public static let typeName = "client.consent-withdrawn"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Version of the consent form being withdrawn.
    public var formVersion: String
    /// The scopes withdrawn.
    public var scopes: [ConsentScope]

    /// Creates the payload.
    public init(at: Date, formVersion: String, scopes: [ConsentScope]) {
        self.at = at
        self.formVersion = formVersion
        self.scopes = scopes
    }
}
