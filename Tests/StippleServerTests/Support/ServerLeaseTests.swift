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
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.objid::bigint = (hashtext(\(lease))::bigint & 4294967295) AND l.objsubid = 2
                """)
        }
        #expect(rows.count <= 1, "one holder at most for \(lease): \(rows.count)")
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

    static func append(_ store: EventStore, _ range: Range<Int>, category: String = "client") async throws {
        for index in range {
            try await store.append(
                [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")],
                to: try StreamName("\(category)-\(index % 3)"), expectedVersion: .any)
        }
    }

    @Test(
        "two serve processes: each event is delivered by exactly one of them, the projections run in one; kill -9 the holder and the other takes over within seconds",
        .timeLimit(.minutes(8)))
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

    @Test(
        "a serve process whose lease connection is terminated while it delivers a webhook and runs the projections gives both up and retakes them on a new session, delivering each event once",
        .timeLimit(.minutes(8)))
    func brokenLeaseConnection() async throws {
        try await ServerFixture.with { fixture in
            let store = fixture.database.store
            let database = fixture.database
            try await WebhookReceiver.with(script: { _ in .status(200) }) { receiver in
                let key = try await fixture.app.keys.create(name: "crm", role: .integrator)
                let hooks = WebhookStore(pool: store.pool)
                let (webhook, _) = try await hooks.create(
                    url: "http://127.0.0.1:\(receiver.port)/", categories: nil, apiKeyID: key.key.id, after: 0)
                let lease = WebhookService.lease(webhook.id)
                let url = database.configuration.connectionString
                let separator = url.contains("?") ? "&" : "?"
                let server = try CLIProcess([
                    "serve", "--port", "0", "--database-url", url + separator + "application_name=serve-a",
                    "--webhook-allow-http", "--webhook-allow-private",
                ])
                func delivered() -> [Int64] {
                    receiver.received.value.filter(\.acknowledged).flatMap { WebhookDeliveryTests.positions($0.body) }
                }
                func recorded() async throws -> Int64 {
                    try await hooks.webhook(id: webhook.id)?.status.checkpoint ?? -1
                }
                func projected() async throws -> Int64 {
                    let rows = try await database.pool.withConnection { connection in
                        try await connection.query(
                            "SELECT coalesce(min(position), -1) FROM projection_checkpoints")
                    }
                    return try rows.first?.decode((Int64).self) ?? -1
                }
                do {
                    try await server.waitForLines(1)
                    try await Self.append(store, 0..<10, category: "widget")
                    #expect(try await Self.wait { try await recorded() == 10 } != nil, "delivered: \(delivered())")
                    #expect(try await Self.wait { try await projected() == 10 } != nil)
                    // One session of serve-a holds both leases.
                    #expect(try await Self.holder(of: lease, database) == "serve-a")
                    #expect(try await Self.holder(of: "projections", database) == "serve-a")
                    let before = try await database.leaseBackends()
                    #expect(before.count == 1)
                    let old = try #require(before.first)

                    // The lease session ends under the living process, as a failover or an operator would end it.
                    let broken = ContinuousClock.now
                    _ = try await database.pool.withConnection { connection in
                        try await connection.query("SELECT pg_terminate_backend(\(old))")
                    }
                    try await Self.append(store, 10..<20, category: "widget")
                    // Both leases are taken again, by serve-a on a new session.
                    let retaken = try await Self.wait {
                        let backends = try await database.leaseBackends()
                        let webhookHolder = try await Self.holder(of: lease, database)
                        let projectionsHolder = try await Self.holder(of: "projections", database)
                        return !backends.isEmpty && !backends.contains(old) && webhookHolder == "serve-a"
                            && projectionsHolder == "serve-a"
                    }
                    #expect(retaken != nil)
                    #expect(try await Self.wait { try await recorded() == 20 } != nil, "delivered: \(delivered())")
                    try await Self.append(store, 20..<30, category: "widget")
                    #expect(try await Self.wait { try await recorded() == 30 } != nil, "delivered: \(delivered())")
                    #expect(try await Self.wait { try await projected() == 30 } != nil)
                    // Every event exactly once, in order; no delivery was sent twice.
                    #expect(delivered() == Array(1...30))
                    let deliveries = receiver.received.value.compactMap { $0.headers["stipple-delivery"] }
                    #expect(Set(deliveries).count == deliveries.count, "\(deliveries)")
                    // It gave both up before retaking them, and said so.
                    let log = server.standardError + server.standardOutput
                    #expect(log.contains("projections: lost the lease"), "\(log.suffix(2000))")
                    #expect(log.contains("lost a delivery lease") || log.contains("lost the delivery lease"))
                    print(
                        "ServerLeaseTests: lease session \(old) terminated; both leases retaken after "
                            + "\(String(describing: retaken)), all 30 events delivered once "
                            + "(\(ContinuousClock.now - broken) after the break)")
                } catch {
                    _ = try? await server.stop(signal: SIGKILL)
                    throw error
                }
                _ = try await server.stop(signal: SIGTERM)
            }
        }
    }
}
