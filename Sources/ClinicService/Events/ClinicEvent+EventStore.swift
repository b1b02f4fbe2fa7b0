import Clinic
import EventStore
import Foundation

/// The one bridge between the clinic's events and the store's: encode a domain event for an append, decode a
/// stored one (upcasting older schema versions). The projections' fold decodes through `ClinicEvent.decode` in
/// `ProjectionBatch`, below this library.
extension ClinicEvent {
    /// Decodes a stored event.
    public init(_ recorded: RecordedEvent) throws {
        self = try ClinicEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data)
    }

    /// The event to append, with `metadata` and an id (a new one unless given: generated histories derive theirs).
    public func newEvent(id: UUID = .random(), metadata: EventMetadata) throws -> NewEvent {
        let (type, schemaVersion, data) = try encoded()
        return NewEvent(id: id, type: type, schemaVersion: schemaVersion, data: data, metadata: metadata)
    }
}
