import Foundation

/// An event as stored: where it sits in the log and in its stream, and what it says.
public struct RecordedEvent: Sendable, Hashable {
    /// Global position in the log: gapless, in commit order, from 1.
    public var position: Int64
    public var stream: StreamName
    /// Version within the stream, from 0.
    public var version: Int
    public var id: UUID
    public var type: String
    public var schemaVersion: Int
    /// The data as a JSON object (PostgreSQL's normalised `jsonb` text). Events read from the store share
    /// one buffer per page: index from `startIndex`, not 0.
    public var data: Data
    /// The metadata JSON; `metadata()` decodes it. Like `data`, a slice of a page's buffer when read.
    public var metadataJSON: Data
    /// When the database recorded it.
    public var recordedAt: Date

    public init(
        position: Int64, stream: StreamName, version: Int, id: UUID, type: String, schemaVersion: Int, data: Data,
        metadataJSON: Data, recordedAt: Date
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadataJSON = metadataJSON
        self.recordedAt = recordedAt
    }

    /// Decodes the metadata.
    public func metadata() throws -> EventMetadata {
        try EventMetadata.decode(metadataJSON)
    }

    /// The checkpoint just after this event.
    public var checkpoint: Checkpoint { Checkpoint(position: position) }
}
