import EventStore
import Foundation

/// The wire form of a stored event: position, resume token, stream, version, type, data, metadata.
enum EventJSON {
    static func object(_ event: RecordedEvent) -> [String: Any] {
        [
            "position": event.position,
            "token": event.checkpoint.token,
            "stream": event.stream.rawValue,
            "category": event.stream.category,
            "version": event.version,
            "id": event.id.uuidString.lowercased(),
            "type": event.type,
            "schema_version": event.schemaVersion,
            "data": (try? JSONSerialization.jsonObject(with: event.data)) ?? [String: Any](),
            "metadata": (try? JSONSerialization.jsonObject(with: event.metadataJSON)) ?? [String: Any](),
            "recorded_at": Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(event.recordedAt),
        ]
    }

    static func data(_ event: RecordedEvent) -> Data {
        (try? JSONSerialization.data(withJSONObject: object(event), options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}
