import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

/// A small projection for testing the runner: events per stream, and the last type seen.
/// It cannot apply events of type `poison`.
struct StreamCounts: Projection {
    var name = "stream_counts"
    var version = 1

    func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "CREATE TABLE \(identifier: schema).stream_counts (stream text PRIMARY KEY, n int NOT NULL, last_type text)"
        )
    }

    func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        for item in batch.items {
            let event = item.recorded
            if event.type == "poison" {
                throw ProjectionFailure(projection: name, event: event, reason: "cannot count poison")
            }
            try await connection.execute(
                """
                INSERT INTO \(identifier: schema).stream_counts AS c (stream, n, last_type)
                VALUES (\(event.stream.rawValue), 1, \(event.type))
                ON CONFLICT (stream) DO UPDATE SET n = c.n + 1, last_type = excluded.last_type
                """)
        }
    }
}

/// Counts events per type; never fails. Used to show one projection's poison leaves others running.
struct TypeCounts: Projection {
    var name = "type_counts"
    var version = 1

    func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "CREATE TABLE \(identifier: schema).type_counts (type text PRIMARY KEY, n int NOT NULL)")
    }

    func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        var counts: [String: Int] = [:]
        for item in batch.items { counts[item.recorded.type, default: 0] += 1 }
        for (type, n) in counts {
            try await connection.execute(
                """
                INSERT INTO \(identifier: schema).type_counts AS c (type, n) VALUES (\(type), \(n))
                ON CONFLICT (type) DO UPDATE SET n = c.n + excluded.n
                """)
        }
    }
}

func appendSome(_ store: EventStore, streams: Int, perStream: Int, type: String = "thing.happened") async throws {
    for index in 0..<streams {
        let events = (0..<perStream).map { _ in NewEvent(type: type, json: #"{"i": \#(index)}"#) }
        try await store.append(events, to: try EventStreamName("client-\(index)"), expectedVersion: .any)
    }
}

func rows(_ database: TestDatabase, _ sql: SQL) async throws -> [String] {
    try await database.pool.withConnection { connection in
        try await connection.query(sql).map { row in
            try (0..<row.columnCount).map { try row.decode(String?.self, at: $0) ?? "NULL" }.joined(separator: "|")
        }
    }
}

@Suite("The projection runner")
struct RunnerTests {
    @Test("catches up in batches and writes each projection's checkpoint with its rows")
    func catchesUp() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 7, perStream: 3)
            let runner = ProjectionRunner(
                store: database.store, projections: [StreamCounts(), TypeCounts()], batchSize: 4)
            try await runner.catchUp()
            let counts = try await rows(database, "SELECT stream, n FROM stream_counts.stream_counts ORDER BY stream")
            #expect(counts == (0..<7).map { "client-\($0)|3" })
            #expect(try await rows(database, "SELECT type, n FROM type_counts.type_counts") == ["thing.happened|21"])
            let states = try await runner.states()
            #expect(states.map(\.position) == [21, 21])
            #expect(states.allSatisfy { !$0.isFailed && $0.storedVersion == 1 })
            // Nothing new: catching up again changes nothing.
            #expect(try await runner.catchUp() == 0)
        }
    }

    @Test("stops only the projection that meets a poison event, naming its position, stream and type")
    func poisonEvent() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 3, perStream: 2)
            try await database.store.append(
                [NewEvent(type: "poison", json: "{}")], to: try EventStreamName("client-bad"), expectedVersion: .any)
            try await appendSome(database.store, streams: 2, perStream: 1, type: "later")
            let runner = ProjectionRunner(
                store: database.store, projections: [StreamCounts(), TypeCounts()], batchSize: 100)
            try await runner.catchUp()
            let states = try await runner.states()
            let counts = try #require(states.first { $0.name == "stream_counts" })
            #expect(counts.isFailed)
            #expect(counts.position == 6, "everything before the poison event is applied")
            #expect(counts.failedPosition == 7)
            #expect(
                counts.error
                    == "projection stream_counts stopped at position 7 (stream client-bad, type poison): cannot count poison"
            )
            let types = try #require(states.first { $0.name == "type_counts" })
            #expect(!types.isFailed)
            #expect(types.position == 9)
            #expect(try await rows(database, "SELECT sum(n)::text FROM stream_counts.stream_counts") == ["6"])
            // A rebuild retries and fails the same way, leaving the live schema as it was.
            await #expect(throws: ProjectionFailure.self) { try await runner.rebuild("stream_counts") }
            #expect(try await rows(database, "SELECT sum(n)::text FROM stream_counts.stream_counts") == ["6"])
        }
    }

    @Test("rebuilds into a fresh schema and swaps it in, so queries answer throughout")
    func rebuildSwaps() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 50, perStream: 4)
            let runner = ProjectionRunner(store: database.store, projections: [StreamCounts()], batchSize: 10)
            try await runner.catchUp()
            let expected = try await rows(database, "SELECT stream, n FROM stream_counts.stream_counts ORDER BY stream")
            let queries = Task {
                var answers = 0
                while !Task.isCancelled {
                    let total = try await rows(database, "SELECT sum(n)::text FROM stream_counts.stream_counts")
                    #expect(total == ["200"])
                    answers += 1
                }
                return answers
            }
            try await runner.rebuild("stream_counts")
            queries.cancel()
            let answers = try await queries.value
            #expect(answers > 0)
            #expect(
                try await rows(database, "SELECT stream, n FROM stream_counts.stream_counts ORDER BY stream")
                    == expected)
            #expect(try await runner.states().first?.position == 200)
        }
    }

    @Test("rebuilds by itself a projection whose code version changed")
    func versionBumpRebuilds() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 3, perStream: 1)
            try await ProjectionRunner(store: database.store, projections: [StreamCounts()]).catchUp()
            var bumped = StreamCounts()
            bumped.version = 2
            let runner = ProjectionRunner(store: database.store, projections: [bumped])
            #expect(try await runner.prepare() == ["stream_counts"])
            #expect(try await runner.states().first?.storedVersion == 2)
            #expect(try await runner.prepare().isEmpty)
        }
    }

    @Test("builds a snapshot as of a position that equals a rebuild over the events before it")
    func asOfSnapshot() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 4, perStream: 2)
            let cut = try await database.store.headPosition()
            try await appendSome(database.store, streams: 6, perStream: 2, type: "later")
            let runner = ProjectionRunner(store: database.store, projections: [StreamCounts(), TypeCounts()])
            try await runner.buildSnapshot(
                ["stream_counts", "type_counts"], upTo: cut, asOf: nil, into: "audit_2026_03_31")
            #expect(
                try await rows(database, "SELECT type, n FROM audit_2026_03_31.type_counts") == ["thing.happened|8"])
            // The same thing a fresh store holding only the first events gives.
            try await TestDatabase.with { fresh in
                try await appendSome(fresh.store, streams: 4, perStream: 2)
                try await ProjectionRunner(store: fresh.store, projections: [StreamCounts()]).catchUp()
                let expected = try await rows(
                    fresh, "SELECT stream, n, last_type FROM stream_counts.stream_counts ORDER BY stream")
                let snapshot = try await rows(
                    database, "SELECT stream, n, last_type FROM audit_2026_03_31.stream_counts ORDER BY stream")
                #expect(snapshot == expected)
            }
            await #expect(throws: RunnerError.self) {
                try await runner.buildSnapshot(["type_counts"], upTo: cut, asOf: nil, into: "public")
            }
            await #expect(throws: RunnerError.self) {
                try await runner.buildSnapshot(["type_counts"], upTo: cut, asOf: nil, into: "x; DROP SCHEMA public")
            }
        }
    }

    @Test("a second runner (or a rebuild elsewhere) never applies a batch twice")
    func twoRunnersExactlyOnce() async throws {
        try await TestDatabase.with(connections: 12) { database in
            try await appendSome(database.store, streams: 40, perStream: 5)
            let a = ProjectionRunner(store: database.store, projections: [StreamCounts()], batchSize: 7)
            let b = ProjectionRunner(store: database.store, projections: [StreamCounts()], batchSize: 11)
            try await a.prepare()
            async let first = a.catchUp()
            async let second = b.catchUp()
            _ = try await (first, second)
            #expect(try await rows(database, "SELECT sum(n)::text FROM stream_counts.stream_counts") == ["200"])
            #expect(
                try await rows(database, "SELECT count(*)::text FROM stream_counts.stream_counts WHERE n <> 5") == ["0"]
            )
        }
    }
}
