import EventStore
import Foundation
import Testing

@testable import StippleServer

@Suite("The live-subscriber limit")
struct SubscriberLimitTests {
    @Test(
        "beyond the configured limit a subscriber gets a 503 problem with Retry-After; a place freed is taken again",
        .timeLimit(.minutes(8)))
    func limit() async throws {
        let configuration = StippleServerConfiguration(
            port: 0, subscriptions: .init(heartbeat: .milliseconds(100), maximumSubscribers: 3), runProjections: false,
            runWebhooks: false)
        try await ServerFixture.with(configuration: configuration) { fixture in
            let reader = try #require(fixture.keys[.auditor])
            let headers = ["Authorization": "Bearer \(reader)"]
            try await LiveServerTests.withServer(fixture) { port in
                let release = Locked(false)
                let open = (0..<3).map { _ in
                    Task {
                        try await RawHTTPClient.stream(
                            port: port, path: "/v1/subscribe", headers: headers, timeout: .seconds(60)
                        ) { _ in !release.value }
                    }
                }
                for _ in 0..<500 where fixture.app.metrics.subscribers < 3 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(fixture.app.metrics.subscribers == 3)
                let refused = try await RawHTTPClient.send(port: port, "GET", "/v1/subscribe", headers: headers)
                #expect(refused.status == 503)
                #expect(refused.headers.first { $0.key.lowercased() == "retry-after" }?.value == "2")
                #expect(refused.json["status"] as? Int == 503)
                #expect((refused.json["detail"] as? String)?.contains("subscribers") == true)
                release.withLock { $0 = true }
                for task in open { #expect(try await task.value == 200) }
                for _ in 0..<500 where fixture.app.metrics.subscribers > 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let again = try await RawHTTPClient.stream(
                    port: port, path: "/v1/subscribe", headers: headers, timeout: .seconds(20)
                ) { _ in false }
                #expect(again == 200)
            }
        }
    }
}
