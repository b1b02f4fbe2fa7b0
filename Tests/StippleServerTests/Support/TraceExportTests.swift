import EventStore
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

@testable import StippleServer

/// `stipple serve --otel-endpoint`: spans leave over OTLP/HTTP, in the trace a `traceparent` names.
@Suite("Trace export over OTLP/HTTP")
struct TraceExportTests {
    static func contains(_ body: Data, _ text: String) -> Bool {
        body.firstRange(of: Data(text.utf8)) != nil
    }

    @Test(
        "a command with a traceparent: its request and append spans reach a local OTLP/HTTP receiver in that trace, projection batches too, and the event's correlation id is the trace id",
        .timeLimit(.minutes(8)))
    func export() async throws {
        try await ServerFixture.with { fixture in
            let secret = try #require(fixture.keys[.operator])
            // A local OTLP/HTTP receiver: it keeps what it is sent and answers 200.
            try await WebhookReceiver.with(script: { _ in .status(200) }) { receiver in
                let url = fixture.database.configuration.connectionString
                let separator = url.contains("?") ? "&" : "?"
                let server = try CLIProcess(
                    [
                        "serve", "--port", "0", "--database-url", url + separator + "application_name=traced",
                        "--otel-endpoint", "http://127.0.0.1:\(receiver.port)",
                    ], environment: ["OTEL_BSP_SCHEDULE_DELAY": "200"])
                do {
                    let lines = try await server.waitForLines(1)
                    let port = try #require(
                        lines.first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) })
                    let id = UUID()
                    let traceID: [UInt8] = [
                        0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36,
                    ]
                    let reply = try await RawHTTPClient.send(
                        port: port, "POST", "/v1/clients",
                        headers: [
                            "Authorization": "Bearer \(secret)", "Content-Type": "application/json",
                            "traceparent": TraceCorrelationTests.traceparent,
                        ], body: Data(Payloads.client(id).readableBytesView))
                    #expect(reply.status == 201, "\(String(decoding: reply.body, as: UTF8.self))")
                    // Through the tracer this time: the request's span continues the incoming trace.
                    let events = try await fixture.database.store.readWholeStream(
                        try StreamName("client-\(id.uuidString.lowercased())"))
                    #expect(try events.first?.metadata().correlationID == TraceCorrelationTests.traceAsUUID)

                    func exported() -> [Data] {
                        receiver.received.value.filter { $0.headers["content-type"] == "application/x-protobuf" }
                            .map(\.body)
                    }
                    func seen(_ text: String) -> Bool { exported().contains { Self.contains($0, text) } }
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline,
                        !(seen("eventstore.append") && seen("projections.batch") && seen("/v1/clients"))
                    {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(receiver.received.value.allSatisfy { $0.headers["content-type"] != nil })
                    #expect(seen("eventstore.append"))
                    #expect(seen("projections.batch"))
                    #expect(seen("/v1/clients"))
                    #expect(seen("stipple"), "the service name")
                    // The request's and the append's spans carry the incoming trace id (16 raw bytes in protobuf).
                    #expect(
                        exported().contains {
                            Self.contains($0, "eventstore.append") && $0.firstRange(of: Data(traceID)) != nil
                        })
                    // Not a client's name: personal data stays out of spans.
                    #expect(!exported().contains { Self.contains($0, "Sam Client") })
                } catch {
                    _ = try? await server.stop(signal: SIGKILL)
                    throw error
                }
                #expect(try await server.stop(signal: SIGTERM) == 0)
            }
        }
    }
}
