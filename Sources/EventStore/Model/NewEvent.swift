import Foundation

/// An event to append: its id, type, schema version, JSON data and metadata.
public struct NewEvent: Sendable, Hashable {
    /// Unique forever; appending the same id again with the same content is a no-op.
    public var id: UUID
    /// The event's type name, e.g. `client.registered`.
    public var type: String
    /// The version of the data's shape, from 1.
    public var schemaVersion: Int
    /// A JSON object, as UTF-8 text.
    public var data: Data
    public var metadata: EventMetadata

    public init(id: UUID = UUID(), type: String, schemaVersion: Int = 1, data: Data, metadata: EventMetadata = .init())
    {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
    }

    /// Convenience for a JSON object given as a string.
    public init(
        id: UUID = UUID(), type: String, schemaVersion: Int = 1, json: String, metadata: EventMetadata = .init()
    ) {
        self.init(id: id, type: type, schemaVersion: schemaVersion, data: Data(json.utf8), metadata: metadata)
    }
}
