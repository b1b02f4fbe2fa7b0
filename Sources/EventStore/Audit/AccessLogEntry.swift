import Foundation

/// One row of the access log: who read what, when, why, and through which door.
public struct AccessLogEntry: Sendable, Hashable {
    public var id: Int64
    /// When the database recorded it.
    public var at: Date
    public var actor: String
    /// What was done, e.g. `timeline.read`, `client.export`.
    public var action: String
    /// What was read, e.g. the stream `client-<id>`.
    public var subject: String
    /// The text of `subject` before its first `-`, e.g. `client`.
    public var subjectKind: String
    public var reason: String?
    public var channel: AccessChannel

    public init(
        id: Int64, at: Date, actor: String, action: String, subject: String, subjectKind: String, reason: String?,
        channel: AccessChannel
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.subjectKind = subjectKind
        self.reason = reason
        self.channel = channel
    }
}
