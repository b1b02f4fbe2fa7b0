import ClinicService
import EventStore
import Foundation
import Testing

@Suite("One event encoder, fields chosen per channel")
struct EventEncodingTests {
    static let event = RecordedEvent(
        position: 1042, stream: try! EventStreamName("client-7c1e"), version: 3,
        id: UUID(uuidString: "0b7f8a2e-1c7d-4e55-9a35-6f1d2b3c4d5e") ?? UUID(), type: "client.payment-received",
        schemaVersion: 2,
        // As PostgreSQL prints jsonb: spaces, and a number whose text a re-encoding would change.
        data: Data(#"{"amount": 12.50, "note": "a \"quoted\" \\ line\n"}"#.utf8),
        metadataJSON: Data(#"{"actor": "ann"}"#.utf8),
        recordedAt: Date(timeIntervalSince1970: 1_780_000_000.123456))

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(
        "the feed's form adds the resume token and the category, splices data and metadata as stored, and keeps milliseconds"
    )
    func feed() throws {
        let encoded = EventLine.encode(Self.event, .feed)
        let text = String(decoding: encoded, as: UTF8.self)
        let object = try Self.object(encoded)
        #expect(
            Set(object.keys) == [
                "position", "token", "stream", "category", "version", "id", "type", "schema_version", "data",
                "metadata", "recorded_at",
            ])
        #expect(object["token"] as? String == "1042")
        #expect(object["category"] as? String == "client")
        #expect(text.contains(#""data":{"amount": 12.50, "note": "a \"quoted\" \\ line\n"}"#))
        #expect(text.contains(#""metadata":{"actor": "ann"}"#))
        #expect(object["recorded_at"] as? String == "2026-05-28T20:26:40.123Z")
        #expect((object["data"] as? [String: Any])?["note"] as? String == "a \"quoted\" \\ line\n")
    }

    @Test(
        "the line form is what export writes: no token or category, microseconds, the same bytes as EventLine.encoded")
    func line() throws {
        let encoded = EventLine.encode(Self.event, .line)
        #expect(encoded == EventLine(Self.event).encoded())
        let object = try Self.object(encoded)
        #expect(object["token"] == nil && object["category"] == nil)
        #expect(object["recorded_at"] as? String == "2026-05-28T20:26:40.123456Z")
        #expect(object["position"] as? Int == 1042 && object["version"] as? Int == 3)
    }
}
