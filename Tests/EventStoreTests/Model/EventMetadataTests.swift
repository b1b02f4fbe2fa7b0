import Foundation
import Testing

@testable import EventStore

@Suite("Event metadata")
struct EventMetadataTests {
    static let samples = [
        EventMetadata(),
        EventMetadata(actor: "bench"),
        EventMetadata(
            actor: "Zoë \"the\" admin\\ \u{1}\n/", correlationID: UUID(), causationID: UUID(), reason: "tab\there ✓ 😀",
            extra: ["idempotency_key": "k-1", "api_key_id": "a\"b", "z": "", "é": "\u{7f}"]),
        EventMetadata(reason: "only a reason", extra: ["one": "1"]),
    ]

    @Test(
        "the JSON written for the store reads back as the same metadata, and as what JSONEncoder writes",
        arguments: samples)
    func writtenJSONRoundTrips(_ metadata: EventMetadata) throws {
        let written = metadata.jsonData()
        #expect(try EventMetadata.decode(written) == metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let reference = try encoder.encode(metadata)
        let parsed = try #require(try JSONSerialization.jsonObject(with: written) as? NSDictionary)
        let expected = try #require(try JSONSerialization.jsonObject(with: reference) as? NSDictionary)
        #expect(parsed == expected)
    }
}
