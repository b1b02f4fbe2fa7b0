import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StippleServer

/// Events written by a request carry the id of the request's trace as their correlation id.
@Suite("Trace context → correlation id")
struct TraceCorrelationTests {
    static let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let traceAsUUID = UUID(uuidString: "4bf92f35-77b3-4da6-a3ce-929d0e0e4736")

    /// Registers a client with `traceparent` (if any) and returns the correlation id its event was stored with.
    static func register(_ fixture: ServerFixture, traceparent: String?) async throws -> UUID? {
        let id = UUID()
        let response = try await fixture.test { client in
            var extra = HTTPFields()
            if let traceparent, let name = HTTPField.Name("traceparent") { extra[name] = traceparent }
            return try await client.execute(
                uri: "/v1/clients", method: .post, headers: fixture.headers(.operator, extra),
                body: Payloads.client(id))
        }
        #expect(response.status == .created, "\(response.text)")
        let events = try await fixture.database.store.readWholeStream(
            try StreamName("client-\(id.uuidString.lowercased())"))
        #expect(events.count == 1)
        return try events.first?.metadata().correlationID
    }

    @Test(
        "a traceparent's trace id becomes the stored event's correlation id; without a valid one each request gets a new id"
    )
    func propagation() async throws {
        try await ServerFixture.with { fixture in
            #expect(try await Self.register(fixture, traceparent: Self.traceparent) == Self.traceAsUUID)
            // Invalid trace contexts are ignored (W3C Trace Context), not refused: a zero trace id, a zero span
            // id, an unknown version, a short value, not hex.
            var seen: Set<UUID> = []
            for invalid in [
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-01", "00-zzf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                nil,
            ] as [String?] {
                let correlation = try #require(try await Self.register(fixture, traceparent: invalid))
                #expect(correlation != Self.traceAsUUID, "\(String(describing: invalid))")
                seen.insert(correlation)
            }
            #expect(seen.count == 6)
        }
    }

    @Test("a trace id maps to the UUID with the same 16 bytes")
    func mapping() {
        #expect(CorrelationID.traceID(Self.traceparent) == Self.traceAsUUID)
        #expect(
            CorrelationID.traceID("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")?.uuidString.lowercased()
                == "0af76519-16cd-43dd-8448-eb211c80319c")
        #expect(CorrelationID.traceID(nil) == nil)
        #expect(CorrelationID.traceID("") == nil)
    }
}
