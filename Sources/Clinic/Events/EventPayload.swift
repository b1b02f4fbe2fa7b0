import Foundation

/// The data of one event type: a JSON object with a dotted type name, a schema version and its business time.
public protocol EventPayload: Codable, Hashable, Sendable {
    /// Dotted lower-case type name, e.g. `client.session-booked`.
    static var typeName: String { get }
    /// The version this type is written with today; older versions are upcast when read.
    static var schemaVersion: Int { get }
    /// When it happened in the clinic (business time), not when the database recorded it.
    var at: Date { get }
}

/// A stored, older form of an event payload that can be upcast to the current form.
public protocol LegacyEventPayload: Decodable, Sendable {
    /// The current payload type.
    associatedtype Current: EventPayload
    /// The schema version of this stored form.
    static var schemaVersion: Int { get }
    /// Converts to the current form.
    func upcast() -> Current
}
