import Foundation

/// The clinic published a version of its consent form: the version clients sign, the SHA-256 of its text, the
/// scopes it asks consent for, and whether clients must sign it again before their next treatment. Stream
/// `settings-clinic`.
public struct ConsentFormPublished: EventPayload {
    /// `settings.consent-form-published`.
    public static let typeName = "settings.consent-form-published"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it takes effect, in business time.
    public var at: Date
    /// The version clients sign, e.g. `2023-06`.
    public var formVersion: String
    /// Lower-case hex SHA-256 of the form's text as published: what a signature refers to.
    public var contentHash: String
    /// What the form asks consent for.
    public var scopes: [ConsentScope]
    /// True when a treatment from `at` on needs a treatment consent signed on this version (or a later one).
    public var requiresReconsent: Bool
    /// Who published it.
    public var publishedBy: String
    /// What changed, or why clients must sign again.
    public var reason: String

    /// Creates the payload.
    public init(
        at: Date, formVersion: String, contentHash: String, scopes: [ConsentScope], requiresReconsent: Bool,
        publishedBy: String, reason: String
    ) {
        self.at = at
        self.formVersion = formVersion
        self.contentHash = contentHash
        self.scopes = scopes
        self.requiresReconsent = requiresReconsent
        self.publishedBy = publishedBy
        self.reason = reason
    }
}
