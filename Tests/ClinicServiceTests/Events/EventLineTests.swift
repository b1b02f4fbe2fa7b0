import ClinicService
import EventStore
import Foundation
import Testing

@Suite("The JSON Lines event format")
struct EventLineTests {
    static let recorded = RecordedEvent(
        position: 1042, stream: try! EventStreamName("client-6f1c2d3e-0000-4000-8000-000000000001"), version: 3,
        id: UUID(uuidString: "0b9f4a8e-8d0c-4a43-9b52-2f5d6f1c2a11")!, type: "client.payment-received",
        schemaVersion: 1, data: Data(#"{"amount":{"minorUnits":50000,"currency":"USD"},"ratio":1.50}"#.utf8),
        metadataJSON: Data(#"{"actor":"front desk"}"#.utf8),
        recordedAt: Date(timeIntervalSince1970: 1_777_627_800.123456))

    @Test("a line parses back to the same event, with data copied byte for byte")
    func roundTrip() throws {
        let line = EventLine(Self.recorded).encoded()
        let parsed = try EventLine(parsing: line, maximumDataBytes: 1 << 20)
        #expect(parsed.position == 1042)
        #expect(parsed.stream == Self.recorded.stream)
        #expect(parsed.version == 3)
        #expect(parsed.id == Self.recorded.id)
        #expect(parsed.type == "client.payment-received")
        #expect(parsed.data == Self.recorded.data)  // "1.50" keeps its exact text
        #expect(parsed.recordedAt == "2026-05-01T09:30:00.123456Z")
        #expect(parsed.encoded() == line)
    }

    @Test("a line missing a field or naming an unknown one is refused with the field's name")
    func refusals() {
        #expect(throws: EventLine.ParseError.self) {
            try EventLine(parsing: Data(#"{"stream":"client-1","version":0}"#.utf8), maximumDataBytes: 100)
        }
        let extra = String(decoding: EventLine(Self.recorded).encoded(), as: UTF8.self).replacingOccurrences(
            of: "{\"position\"", with: "{\"surprise\":1,\"position\"")
        do {
            _ = try EventLine(parsing: Data(extra.utf8), maximumDataBytes: 1 << 20)
            Issue.record("an unknown field was accepted")
        } catch {
            #expect(error.description.contains("surprise"))
        }
    }

    @Test("timestamps are UTC with microseconds, before and after 1970")
    func timestamps() {
        #expect(EventLine.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(EventLine.timestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(EventLine.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
    }
}
