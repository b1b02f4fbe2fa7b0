import Clinic
import ClinicService
import Crypto
import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Postgres
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

@testable import StippleServer
import TextCodecs

/// `Idempotency-Key` across crashes: of the attempt, of the server process, of the database.
@Suite("Idempotency survives crashes")
struct IdempotencyCrashTests {
    static func registration(_ id: UUID) -> Data {
        Data(Payloads.client(id).readableBytesView)
    }

    static func fingerprint(_ path: String, _ body: Data) -> String {
        var material = Data("POST \(path)\n".utf8)
        material.append(body)
        return Hex.encode(Array(SHA256.hash(data: material)))
    }

    /// Events written with `key` (by any key holder).
    static func events(withKey key: String, _ pool: ConnectionPool) async throws -> Int64 {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT count(*) FROM events WHERE metadata -> 'extra' ->> 'idempotency_key' = \(key)")
        }
        return try rows.first?.decode(Int64.self, at: 0) ?? -1
    }

    @Test("an attempt that appended and died before keeping its answer is answered from its events, not run again")
    func appendedThenDied() async throws {
        try await ServerFixture.with { fixture in
            let secret = try #require(fixture.keys[.operator])
            let apiKey = try #require(try await fixture.app.keys.authenticate(secret: secret))
            let clientID = UUID()
            let body = Self.registration(clientID)
            let key = "died-after-append"
            // The dead attempt: its pending row, and its event appended with the key in the metadata.
            _ = try await fixture.database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO idempotency_keys (key, api_key_id, fingerprint, status)
                    VALUES (\(key), \(apiKey.id), \(Self.fingerprint("/v1/clients", body)), 'pending')
                    """)
            }
            let handler = CommandHandler(store: fixture.database.store)
            let payload = try RequestDecoding.decode(
                ClientRegistered.self, from: try CommandBody.object(body, now: Date()))
            let outcome = try await handler.handle(
                .register(payload), client: clientID,
                metadata: EventMetadata(
                    actor: apiKey.name, correlationID: UUID(),
                    extra: ["api_key_id": apiKey.id.uuidString.lowercased(), "idempotency_key": key]))
            try await fixture.test { client in
                var headers = fixture.headers(.operator)
                headers[.idempotencyKey] = key
                let retry = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(retry.status == .created, "\(retry.text)")
                #expect(retry.headers[.idempotentReplayed] == "true")
                #expect(retry.json["clientID"] as? String == clientID.uuidString.lowercased())
                let events = retry.json["events"] as? [[String: Any]] ?? []
                #expect(events.map { $0["id"] as? String } == outcome.events.map { $0.id.uuidString.lowercased() })
                #expect(retry.json["token"] as? String == outcome.token)
                // Kept now: a second retry is a plain replay.
                let again = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(again.status == .created)
                #expect(again.body == retry.body)
            }
            #expect(try await Self.events(withKey: key, fixture.database.pool) == 1)
        }
    }

    @Test("a pending key whose owner died is taken over at once; one a live attempt holds is a 409")
    func pendingOwnership() async throws {
        try await ServerFixture.with { fixture in
            let secret = try #require(fixture.keys[.operator])
            let apiKey = try #require(try await fixture.app.keys.authenticate(secret: secret))
            let body = Self.registration(UUID())
            let key = "owner-died"
            _ = try await fixture.database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO idempotency_keys (key, api_key_id, fingerprint, status, created_at)
                    VALUES (\(key), \(apiKey.id), \(Self.fingerprint("/v1/clients", body)), 'pending', clock_timestamp())
                    """)
            }
            // A live owner elsewhere: its session holds the key's advisory lock.
            let owner = try await PostgresConnection.connect(fixture.database.configuration)
            let lock = IdempotencyStore.lockID(apiKey: apiKey.id, key: key)
            try await owner.query("SELECT pg_advisory_lock(\(lock))")
            try await fixture.test { client in
                var headers = fixture.headers(.operator)
                headers[.idempotencyKey] = key
                let busy = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                #expect(busy.status == .conflict, "\(busy.text)")
                // The owner's connection dies: the retry runs as soon as its backend has ended, not after the
                // 5-minute pending window. PostgreSQL ends the backend asynchronously (seconds on a loaded
                // machine), so the retry is repeated for up to a minute: far inside that window.
                await owner.close()
                let started = ContinuousClock.now
                var retry = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                while retry.status == .conflict && ContinuousClock.now - started < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(50))
                    retry = try await client.execute(
                        uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                }
                #expect(retry.status == .created, "\(retry.text)")
                #expect(retry.headers[.idempotentReplayed] == nil)
            }
            #expect(try await Self.events(withKey: key, fixture.database.pool) == 1)
        }
    }

    /// Eight writers, each registering clients with keys of their own and retrying every request
    /// (same key, same body) until it gets an answer that is not a 5xx, a 409 or a cut connection.
    struct Tally: Sendable {
        /// The final answer per key.
        var answers: [String: Int] = [:]
        /// Requests that needed more than one attempt (cut, 5xx or 409 first).
        var retried = 0
        /// Final answers marked `Idempotent-Replayed`.
        var replayed = 0
    }

    static func writers(
        port: @escaping @Sendable () -> Int, secret: String, perWriter: Int, running: Locked<Int>
    ) async throws -> Tally {
        try await withThrowingTaskGroup(of: Tally.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var tally = Tally()
                    for index in 0..<perWriter {
                        let key = "w\(writer)-\(index)-\(UUID().uuidString.prefix(8))"
                        let body = registration(UUID())
                        let headers = [
                            "Authorization": "Bearer \(secret)", "Content-Type": "application/json",
                            "Idempotency-Key": key,
                        ]
                        let deadline = ContinuousClock.now + .seconds(90)
                        var attempts = 0
                        while true {
                            attempts += 1
                            if let reply = try? await RawHTTPClient.send(
                                port: port(), "POST", "/v1/clients", headers: headers, body: body),
                                reply.status < 500, reply.status != 409
                            {
                                tally.answers[key] = reply.status
                                if reply.headers["idempotent-replayed"] == "true" { tally.replayed += 1 }
                                break
                            }
                            guard ContinuousClock.now < deadline else {
                                tally.answers[key] = -1
                                break
                            }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        if attempts > 1 { tally.retried += 1 }
                        running.withLock { $0 += 1 }
                    }
                    return tally
                }
            }
            var all = Tally()
            for try await tally in group {
                all.answers.merge(tally.answers) { $1 }
                all.retried += tally.retried
                all.replayed += tally.replayed
            }
            return all
        }
    }

    @Test(
        "PostgreSQL restarted (fast) under 8 writers: every retried request ends with exactly one effect",
        .timeLimit(.minutes(8)))
    func databaseRestart() async throws {
        let cluster = try await PrivateCluster.start()
        do {
            let configuration = try PostgresConfiguration(cluster.url, connectTimeout: 2)
            let pool = ConnectionPool(configuration: configuration, maximumConnections: 8)
            try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: pool)
            let store = EventStore(pool: pool)
            let app = StippleApp(store: store, configuration: .init(port: 0, runProjections: false, runWebhooks: false))
            let secret = try await app.keys.create(name: "restart-writer", role: .operator).secret
            let done = Locked<Int>(0)
            let tally = try await LoopbackServer(app: app, logLevel: .critical).withServer { port in
                async let results = Self.writers(port: { port }, secret: secret, perWriter: 40, running: done)
                while done.value < 40 { try await Task.sleep(for: .milliseconds(10)) }
                try await cluster.stop()
                try await Task.sleep(for: .milliseconds(500))
                try await cluster.startAgain()
                return try await results
            }
            let answers = tally.answers
            // Requests were in flight when it happened: some needed a retry.
            #expect(tally.retried > 0)
            print(
                "idempotency crash (\(#function)): \(tally.retried) of 320 requests retried, "
                    + "\(tally.replayed) answered as replays")
            #expect(answers.count == 320)
            #expect(answers.values.allSatisfy { $0 == 201 }, "\(answers.filter { $0.value != 201 })")
            for key in answers.keys {
                #expect(try await Self.events(withKey: key, pool) == 1, "\(key)")
            }
            let registered = try await pool.withConnection { connection in
                try await connection.query("SELECT count(*) FROM events WHERE type = 'client.registered'")
            }
            #expect(try registered.first?.decode(Int64.self, at: 0) == 320)
            await pool.close()
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    @Test(
        "stipple serve killed with kill -9 under 8 writers and started again: exactly one effect each",
        .timeLimit(.minutes(8)))
    func serverKilled() async throws {
        try await TestDatabase.with { database in
            let environment = ["STIPPLE_DATABASE_URL": database.configuration.connectionString]
            let secret = try await APIKeyStore(pool: database.pool).create(name: "kill-writer", role: .operator).secret
            func start() async throws -> (CLIProcess, Int) {
                let process = try CLIProcess(
                    ["serve", "--host", "127.0.0.1", "--port", "0", "--no-projections"], environment: environment)
                let lines = try await process.waitForLines(1)
                let line = try #require(lines.first { $0.hasPrefix("Serving on http://127.0.0.1:") })
                return (process, try #require(Int(line.split(separator: ":").last ?? "")))
            }
            let (first, firstPort) = try await start()
            let port = Locked<Int>(firstPort)
            let done = Locked<Int>(0)
            async let results = Self.writers(
                port: { port.value }, secret: secret, perWriter: 40, running: done)
            while done.value < 40 { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await first.stop(signal: SIGKILL)
            let (second, secondPort) = try await start()
            port.withLock { $0 = secondPort }
            let tally = try await results
            _ = try await second.stop(signal: SIGTERM)
            let answers = tally.answers
            // Requests were in flight when it happened: some needed a retry.
            #expect(tally.retried > 0)
            print(
                "idempotency crash (\(#function)): \(tally.retried) of 320 requests retried, "
                    + "\(tally.replayed) answered as replays")
            #expect(answers.count == 320)
            #expect(answers.values.allSatisfy { $0 == 201 }, "\(answers.filter { $0.value != 201 })")
            for key in answers.keys {
                #expect(try await Self.events(withKey: key, database.pool) == 1, "\(key)")
            }
            let pending = try await database.pool.withConnection { connection in
                try await connection.query("SELECT count(*) FROM idempotency_keys WHERE status = 'pending'")
            }
            #expect(try pending.first?.decode(Int64.self, at: 0) == 0)
        }
    }
}
