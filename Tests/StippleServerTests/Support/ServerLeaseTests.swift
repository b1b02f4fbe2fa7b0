import EventStore
import Foundation
import Postgres
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

@testable import StippleServer

/// Two real `stipple serve` processes on one database: leases in PostgreSQL decide which delivers
/// each webhook and which runs the projections, and the other takes over when that one is killed.
@Suite("Several servers on one database")
struct ServerLeaseTests {
    /// The `application_name` of the session holding `lease` (nil when nobody holds it).
    static func holder(of lease: String, _ database: TestDatabase) async throws -> String? {
        let rows = try await database.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = \(Int64(LeaseHolder.namespace))
                  AND l.objid::bigint = (hashtext(\(lease))::bigint & 4294967295) AND l.objsubid = 2
                """)
        }
        #expect(rows.count <= 1, "one holder at most for \(lease)")
        return try rows.first?.decode(String.self, at: 0)
    }

    /// Waits until `condition` holds or `timeout` passes; returns how long it took.
    static func wait(timeout: Duration = .seconds(45), _ condition: () async throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func append(_ store: EventStore, _ range: Range<Int>) async throws {
        for index in range {
            try await store.append(
                [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")], to: try StreamName("client-\(index % 3)"),
                expectedVersion: .any)
        }
    }

    @Test(
        "two serve processes: each event is delivered by exactly one of them, the projections run in one; kill -9 the holder and the other takes over within seconds",
        .timeLimit(.minutes(4)))
    func twoServers() async throws {
        try await ServerFixture.with { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: { _ in .status(200) }) { receiver in
                let key = try await fixture.app.keys.create(name: "crm", role: .integrator)
                let hooks = WebhookStore(pool: store.pool)
                let (webhook, _) = try await hooks.create(
                    url: "http://127.0.0.1:\(receiver.port)/", categories: nil, apiKeyID: key.key.id, after: 0)
                let url = fixture.database.configuration.connectionString
                let separator = url.contains("?") ? "&" : "?"
                var servers: [String: CLIProcess] = [:]
                for name in ["serve-a", "serve-b"] {
                    servers[name] = try CLIProcess([
                        "serve", "--port", "0", "--database-url", url + separator + "application_name=\(name)",
                        "--webhook-allow-http", "--webhook-allow-private",
                    ])
                }
                do {
                    try await Self.exercise(
                        &servers, store: store, database: fixture.database, hooks: hooks, webhook: webhook.id,
                        receiver: receiver)
                } catch {
                    for server in servers.values { _ = try? await server.stop(signal: SIGKILL) }
                    throw error
                }
                for server in servers.values { _ = try await server.stop(signal: SIGTERM) }
            }
        }
    }

    static func exercise(
        _ servers: inout [String: CLIProcess], store: EventStore, database: TestDatabase, hooks: WebhookStore,
        webhook: UUID, receiver: WebhookReceiver
    ) async throws {
        let lease = WebhookService.lease(webhook)
        for server in servers.values { try await server.waitForLines(1) }
        #expect(servers.values.allSatisfy { $0.lines.first?.hasPrefix("Serving on") == true })

        func delivered() -> [Int64] {
            receiver.received.value.filter(\.acknowledged).flatMap { WebhookDeliveryTests.positions($0.body) }
        }
        func recorded() async throws -> Int64 {
            try await hooks.webhook(id: webhook)?.status.checkpoint ?? -1
        }

        try await Self.append(store, 0..<20)
        #expect(try await Self.wait { try await recorded() == 20 } != nil, "delivered: \(delivered())")
        #expect(delivered() == Array(1...20))
        let first = try #require(try await Self.holder(of: lease, database))
        // The projections' lease is taken by whichever server's runner asks first (they retry every 2 s; under a
        // full parallel test run a serve process can take many seconds to get there).
        _ = try await Self.wait { try await Self.holder(of: "projections", database) != nil }
        let projections = try #require(try await Self.holder(of: "projections", database))
        #expect(servers[first] != nil && servers[projections] != nil)

        // The webhook's deliverer dies without a word; the other server takes its lease.
        let removed = servers.removeValue(forKey: first)
        let killed = try #require(removed)
        _ = try await killed.stop(signal: SIGKILL)
        let survivor = try #require(servers.keys.first)
        try await Self.append(store, 20..<40)
        let takeover = try await Self.wait { try await recorded() == 40 }
        #expect(takeover != nil, "delivered: \(delivered())")
        #expect(takeover.map { $0 < .seconds(20) } ?? false, "took over after \(String(describing: takeover))")
        // Every event exactly once across both processes, in order.
        #expect(delivered() == Array(1...40))
        #expect(try await Self.holder(of: lease, database) == survivor)
        #expect(
            try await Self.wait(timeout: .seconds(20)) {
                try await Self.holder(of: "projections", database) == survivor
            } != nil)
        print(
            "ServerLeaseTests: \(first) killed; \(survivor) delivered the next 20 after \(String(describing: takeover))"
        )
    }
}
