/// A stored event's type name is not one this module knows.
public struct UnknownEventType: Error, Hashable, Sendable, CustomStringConvertible {
    /// The unknown type name.
    public let type: String
    /// Its schema version.
    public let schemaVersion: Int

    /// A readable message.
    public var description: String { "unknown event type '\(type)' (schema version \(schemaVersion))" }
}

/// A stored event's data could not be read as its type.
public struct MalformedEventData: Error, Hashable, Sendable, CustomStringConvertible {
    /// The event type.
    public let type: String
    /// The schema version it was stored with.
    public let schemaVersion: Int
    /// What was wrong.
    public let reason: String

    /// A readable message.
    public var description: String { "malformed data for event '\(type)' v\(schemaVersion): \(reason)" }
}

/// A stored event has a schema version this module cannot read (newer than it knows, or without upcaster).
public struct UnsupportedSchemaVersion: Error, Hashable, Sendable, CustomStringConvertible {
    /// The event type.
    public let type: String
    /// The stored version.
    public let schemaVersion: Int
    /// The version this module writes.
    public let current: Int

    /// A readable message.
    public var description: String {
        "event '\(type)' has schema version \(schemaVersion); this module reads up to \(current)"
    }
}
