import Foundation
import Postgres

/// Why the store refused or failed. Every case leaves the store exactly as it was.
public enum EventStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Optimistic concurrency: the stream was not where the writer thought it was.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: Int?)
    /// An event id already stored with different content (or only some ids of an append were).
    case idempotencyConflict(stream: String, eventID: UUID?)
    case invalidStreamName(String)
    case invalidEventType(String)
    case invalidSchemaVersion(Int)
    /// The data is not a JSON object, is not valid UTF-8/JSON, or contains a NUL character.
    case invalidData(eventID: UUID, reason: String)
    case invalidMetadata(reason: String)
    case payloadTooLarge(eventID: UUID, bytes: Int, limit: Int)
    case noEvents(stream: String)
    case duplicateEventID(UUID)
    case tooManyEvents(count: Int, limit: Int)
    case invalidCheckpoint(String)
    /// The database failed; the underlying error keeps SQLSTATE and detail.
    case database(PostgresError)
    /// The server answered something this code does not understand.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            let actualText = actual.map { "is at version \($0)" } ?? "does not exist"
            return "stream \(stream): expected \(expected), but it \(actualText)"
        case .idempotencyConflict(let stream, let eventID):
            return "stream \(stream): event id \(eventID?.uuidString.lowercased() ?? "?") was already used "
                + "for different content (or only part of this append was stored before)"
        case .invalidStreamName(let name):
            return "invalid stream name '\(name.prefix(80))': use category-id with letters, digits and _ . : @ - "
                + "(at most 200 characters)"
        case .invalidEventType(let type):
            return "invalid event type '\(type.prefix(80))': use letters, digits and _ . : - (1–200 characters)"
        case .invalidSchemaVersion(let version):
            return "invalid schema version \(version): must be between 1 and 32767"
        case .invalidData(let eventID, let reason):
            return "event \(eventID.uuidString.lowercased()): invalid data: \(reason)"
        case .invalidMetadata(let reason):
            return "invalid metadata: \(reason)"
        case .payloadTooLarge(let eventID, let bytes, let limit):
            return "event \(eventID.uuidString.lowercased()): data is \(bytes) bytes, over the limit of \(limit)"
        case .noEvents(let stream):
            return "stream \(stream): an append needs at least one event"
        case .duplicateEventID(let id):
            return "event id \(id.uuidString.lowercased()) appears twice in one append"
        case .tooManyEvents(let count, let limit):
            return "an append of \(count) events is over the limit of \(limit)"
        case .invalidCheckpoint(let token):
            return "invalid checkpoint token '\(token.prefix(40))': expected a non-negative position"
        case .database(let error):
            return error.description
        case .protocolViolation(let message):
            return "unexpected answer from the database: \(message)"
        }
    }

    public static func == (lhs: EventStoreError, rhs: EventStoreError) -> Bool {
        lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }
}
