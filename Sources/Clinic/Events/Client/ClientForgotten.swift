import Foundation

/// The client asked to be forgotten: their key is deleted, their personal data becomes unreadable.
public struct ClientForgotten: EventPayload {
    /// `client.forgotten`.
    public static let typeName = "client.forgotten"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The request, e.g. `GDPR art. 17 request`.
    public var reason: String

    /// Creates the payload.
    public init(at: Date, reason: String) {
        self.at = at
        self.reason = reason
    }
}
