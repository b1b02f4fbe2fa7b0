import Clinic
import EventStore
import Foundation
import Postgres
@testable import Projections
import TestSupport
import Synchronization
import Testing

/// Every fold state table of the clinic projections in `suffix`ed schemas, as text (each state as `jsonb` prints
/// it: see `TestDatabase.rowsAsText`), in key order.
func stateSnapshot(_ database: TestDatabase, suffix: String = "") async throws -> [String] {
    var lines: [String] = []
    for name in ["timeline", "revenue", "schedule", "traceability", "forecast"] {
        lines += try await rows(
            database,
            "SELECT key, state::jsonb::text FROM \(identifier: name + suffix).\(identifier: name + "_state") ORDER BY key"
        )
    }
    return lines
}

@Suite("Rebuilding projections together")
struct RebuildAllTests {
    @Test("rebuilding all projections in one pass gives the rows and fold states live following wrote")
    func rebuildAllEqualsFollowing() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 3)
            let fixture = ClinicHistoryFixture(store: database.store)
            var clients: [UUID] = []
            for _ in 0..<3 {
                clients.append(UUID())
                try await fixture.courseClient(clients[clients.count - 1])
                try await runner.catchUp()
            }
            let followed = try await snapshot(database)
            let followedStates = try await stateSnapshot(database)
            let forecast = try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id")
            let failures = try await ProjectionRunner(
                store: database.store, projections: ClinicProjections.all(), batchSize: 4
            ).rebuildAll(ClinicProjections.names)
            #expect(failures.isEmpty)
            #expect(try await snapshot(database) == followed)
            #expect(try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id") == forecast)
            #expect(!followed.isEmpty && !followedStates.isEmpty && !forecast.isEmpty)
            let head = try await database.store.headPosition()
            #expect(try await runner.states().allSatisfy { $0.position == head && !$0.isFailed })
            let leftovers = try await rows(
                database, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '%\\_\\_rebuild'")
            #expect(leftovers.isEmpty)
            // No client's fold state was written: each state table holds the position the rebuild read up to.
            #expect(try await stateSnapshot(database) == Array(repeating: "|\(head)", count: 5))
            // Following goes on: the rebuilt clients' states are folded from their streams as batches meet them.
            try await fixture.append(
                clients[0],
                [
                    .fadeObserved(
                        FadeObserved(at: ClinicHistoryFixture.day("2026-06-01"), density: 0.9, method: .photoAnalysis))
                ])
            try await fixture.courseClient(UUID())
            try await runner.catchUp()
            #expect(try await runner.states().allSatisfy { !$0.isFailed })
            let met = try await rows(database, "SELECT key FROM timeline.timeline_state WHERE key <> '' ORDER BY key")
            #expect(met.count == 2 && met.contains(clients[0].uuidString.lowercased()), "\(met)")
            try await database.storeLeftStates()
            let after = try await snapshot(database)
            let afterStates = try await stateSnapshot(database)
            // The states folded as following met them, the others folded from their streams, and the states following
            // wrote before the rebuild: the same, but for the client and the new one following went on with.
            #expect(afterStates.count == followedStates.count + 5)
            try await runner.rebuildAll(ClinicProjections.names)
            #expect(try await snapshot(database) == after)
            try await database.storeLeftStates()
            #expect(try await stateSnapshot(database) == afterStates)
        }
    }

    @Test(
        "a client forgotten after a rebuild, before following meets them again: their states are folded from their stream as it reads now, and following ends where a rebuild does"
    )
    func forgottenBeforeTheirStatesAreFolded() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(
                store: database.store, projections: ClinicProjections.all(for: database.store), batchSize: 4)
            let fixture = ClinicHistoryFixture(store: database.store)
            let clients = [UUID(), UUID(), UUID()]
            for client in clients { try await fixture.courseClient(client) }
            try await runner.catchUp()
            #expect(try await runner.rebuildAll(ClinicProjections.names(for: database.store)).isEmpty)
            // Forgotten: the key that opens their name and notes is destroyed with the event.
            try await fixture.append(
                clients[0], [.forgotten(ClientForgotten(at: ClinicHistoryFixture.day("2026-08-01"), reason: "request"))]
            )
            try await runner.catchUp()
            #expect(try await runner.states().allSatisfy { !$0.isFailed })
            let name = try await rows(
                database,
                "SELECT display_name IS NULL OR display_name = '', erased FROM timeline.timeline_clients WHERE client_id = \(clients[0])"
            )
            #expect(name == ["t|t"], "\(name)")
            try await database.storeLeftStates()
            let followed = try await snapshot(database)
            let followedStates = try await stateSnapshot(database)
            #expect(try await runner.rebuildAll(ClinicProjections.names(for: database.store)).isEmpty)
            try await database.storeLeftStates()
            #expect(try await snapshot(database) == followed)
            #expect(try await stateSnapshot(database) == followedStates)
            #expect(followedStates.count >= 15)
        }
    }

    /// Three clients' courses, and a fourth client's with `observations` fade observations after it (a day apart,
    /// density falling by 1/1,200 a day from 1); returns the fourth.
    static func clientsAndOneFollowedUp(_ store: EventStore, observations: Int) async throws -> UUID {
        let fixture = ClinicHistoryFixture(store: store)
        for _ in 0..<3 { try await fixture.courseClient(UUID()) }
        let followed = UUID()
        try await fixture.courseClient(followed)
        try await fixture.append(
            followed,
            (0..<observations).map { index in
                .fadeObserved(
                    FadeObserved(
                        at: ClinicHistoryFixture.day("2026-05-01").addingTimeInterval(Double(index) * 86_400),
                        density: 1 - Double(index) / 1_200, method: .photoAnalysis))
            })
        return followed
    }

    @Test(
        "a rebuild compresses values too large for a row's page with lz4 where the server has it; following keeps the server's default"
    )
    func largeValuesCompressedWithLZ4() async throws {
        try await TestDatabase.with { database in
            let hasLZ4 = try await rows(
                database,
                "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 5)
            // A client with a long follow-up record: their forecast row's subject is too large for its page (the
            // stored prediction, without its fade curve since `ForecastFold` v5, no longer is; a row is kept whole
            // up to 8,160 bytes, `TableSpec.rowStorage`).
            _ = try await Self.clientsAndOneFollowedUp(database.store, observations: 300)
            try await runner.catchUp()
            let methods: SQL = """
                SELECT DISTINCT pg_column_compression(subject) FROM forecast.forecast_clients
                WHERE pg_column_compression(subject) IS NOT NULL
                """
            #expect(try await rows(database, methods) == ["pglz"], "following: the server's default")
            #expect(try await runner.rebuildAll(ClinicProjections.names).isEmpty)
            #expect(try await rows(database, methods) == [hasLZ4 == ["1"] ? "lz4" : "pglz"], "rebuilt")
        }
    }

    @Test(
        "fold states are stored as the text the fold wrote; a state past 2 kB stays whole and uncompressed in its row")
    func statesStoredAsText() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 5)
            let fixture = ClinicHistoryFixture(store: database.store)
            // 80 fade observations: the client's forecast state is ~5 kB of JSON, past the 2 kB at which PostgreSQL
            // compresses a row by default.
            let followed = try await Self.clientsAndOneFollowedUp(database.store, observations: 80)
            let large: SQL = """
                SELECT format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(pg_column_compression(s.state), 'none')
                       || ' ' || (length(s.state) > 2048) || ' ' || (s.state::jsonb ? 'observations')
                FROM forecast.forecast_state s
                JOIN pg_attribute a ON a.attrelid = 'forecast.forecast_state'::regclass AND a.attname = 'state'
                WHERE length(s.state) > 2048
                """
            try await runner.catchUp()
            let following = try await rows(database, large)
            #expect(following == ["text none true true"], "following: \(following)")
            // A rebuild leaves the client's state to be folded again from their stream; an event of theirs after it
            // stores it again (folded from the stream, then with the event).
            #expect(try await runner.rebuildAll(ClinicProjections.names).isEmpty)
            #expect(try await rows(database, large).isEmpty, "rebuilt")
            try await fixture.append(
                followed,
                [
                    .fadeObserved(
                        FadeObserved(
                            at: ClinicHistoryFixture.day("2026-09-01"), density: 0.7, method: .photoAnalysis))
                ])
            try await runner.catchUp()
            let again = try await rows(database, large)
            #expect(again == ["text none true true"], "met again: \(again)")
        }
    }

    @Test("a rebuild whose state cache holds fewer keys than the log has writes the same rows and states")
    func smallStateCache() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 5)
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<4 { try await fixture.courseClient(UUID()) }
            try await runner.catchUp()
            try await buildWithCapacity(TimelineProjection(), capacity: 1, database: database)
            try await buildWithCapacity(RevenueProjection(), capacity: 1, database: database)
            try await buildWithCapacity(ForecastFold(), capacity: 1, database: database)
            let forecast = try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id")
            #expect(
                try await rows(database, "SELECT * FROM forecast_small.forecast_clients ORDER BY client_id") == forecast
            )
            #expect(forecast.count == 4)
            #expect(
                try await snapshot(database, schemas: ("timeline_small", "revenue_small"))
                    == snapshot(database))
            for name in ["timeline", "revenue", "forecast"] {
                let live = try await rows(
                    database,
                    "SELECT key, state::jsonb::text FROM \(identifier: name).\(identifier: name + "_state") ORDER BY key"
                )
                let small = try await rows(
                    database,
                    "SELECT key, state::jsonb::text FROM \(identifier: name + "_small").\(identifier: name + "_state") ORDER BY key"
                )
                #expect(small == live)
                #expect(live.count > 1, "more keys than the cache holds")
            }
        }
    }

    @Test("a rebuild indexes its tables after the load: the swapped-in schemas have the indexes createTables makes")
    func indexesAfterTheLoad() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<2 { try await fixture.courseClient(UUID()) }
            let projections = ClinicProjections.all()
            let runner = ProjectionRunner(store: database.store, projections: projections, batchSize: 5)
            #expect(try await runner.rebuildAll(ClinicProjections.names).isEmpty)
            func indexes(_ schema: String) async throws -> [String] {
                try await rows(
                    database,
                    """
                    SELECT tablename || ': ' || replace(indexdef, \(schema) || '.', '')
                    FROM pg_indexes WHERE schemaname = \(schema) ORDER BY 1
                    """)
            }
            var secondary = 0
            for projection in projections {
                let fresh = projection.name + "_fresh"
                try await database.pool.withConnection { connection in
                    try await connection.execute("CREATE SCHEMA \(identifier: fresh)")
                    try await projection.createTables(in: fresh, on: connection)
                }
                let expected = try await indexes(fresh)
                #expect(try await indexes(projection.name) == expected, "\(projection.name)")
                secondary += expected.filter { !$0.contains("_pkey ON") }.count
            }
            #expect(secondary >= 10, "the clinic projections declare secondary indexes")
            #expect(
                try await rows(
                    database, "SELECT relname FROM pg_class WHERE relname = \(ProjectionRebuilder.crashMarker)"
                ).isEmpty, "the crash marker does not reach a live schema")
        }
    }

    @Test("the swap refuses when crash recovery has emptied the rebuild's unlogged crash marker")
    func crashMarker() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE SCHEMA marked")
                try await ProjectionRebuilder.createCrashMarker(in: "marked", on: connection)
                try await connection.execute("CREATE SCHEMA crashed")
                try await ProjectionRebuilder.createCrashMarker(in: "crashed", on: connection)
                // What crash recovery does to an unlogged table: it is left empty.
                try await connection.execute("TRUNCATE crashed.\(identifier: ProjectionRebuilder.crashMarker)")
            }
            await #expect(throws: RunnerError.self) {
                try await database.pool.withTransaction {
                    try await ProjectionRebuilder.expectNoCrash(marker: "crashed", on: $0)
                }
            }
            try await database.pool.withTransaction {
                try await ProjectionRebuilder.expectNoCrash(marker: "marked", on: $0)
            }
            let left = try await rows(
                database,
                """
                SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = \(ProjectionRebuilder.crashMarker) AND c.relpersistence = 'u' ORDER BY 1
                """)
            #expect(left == ["crashed"], "the marker of the rebuild that went on is dropped; both were unlogged")
        }
    }

    /// Builds `projection` into `<name><suffix>` through a `FoldingBuilder` of `capacity` states, in log
    /// order; returns how many states its state table held before `finish`.
    @discardableResult
    private func buildWithCapacity<P: FoldingProjection>(
        _ projection: P, capacity: Int, suffix: String = "_small", database: TestDatabase
    ) async throws -> Int {
        let schema = projection.name + suffix
        try await database.pool.withConnection { connection in
            try await connection.execute("CREATE SCHEMA \(identifier: schema)")
            try await projection.createTables(in: schema, on: connection)
        }
        let builder = FoldingBuilder(projection: projection, schema: schema, capacity: capacity)
        var checkpoint = Checkpoint.start
        while true {
            let page = try await database.store.readAll(after: checkpoint, limit: 2)
            guard !page.events.isEmpty else { break }
            let batch = ProjectionBatch(events: page.events)
            try await database.pool.withTransaction { try await builder.apply(batch, on: $0) }
            checkpoint = page.next
        }
        let written = try await rows(
            database, "SELECT count(*) FROM \(identifier: schema).\(identifier: projection.stateTable)")
        try await database.pool.withTransaction { try await builder.finish(on: $0) }
        return Int(written.first ?? "") ?? -1
    }

    @Test("a projection that refuses an event drops out of a joint rebuild; the others are swapped in")
    func poisonInJointRebuild() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 3, perStream: 2)
            let runner = ProjectionRunner(
                store: database.store, projections: [StreamCounts(), TypeCounts()], batchSize: 4)
            try await runner.catchUp()
            try await database.store.append(
                [NewEvent(type: "poison", json: "{}")], to: try EventStreamName("client-bad"), expectedVersion: .any)
            try await appendSome(database.store, streams: 2, perStream: 1, type: "later")
            let failures = try await runner.rebuildAll(["stream_counts", "type_counts"])
            #expect(
                failures.map(\.description) == [
                    "projection stream_counts stopped at position 7 (stream client-bad, type poison): cannot count poison"
                ])
            // The refusing projection keeps its live schema and checkpoint; the other is rebuilt to the head.
            #expect(try await rows(database, "SELECT sum(n)::text FROM stream_counts.stream_counts") == ["6"])
            #expect(
                try await rows(database, "SELECT type, n FROM type_counts.type_counts ORDER BY type")
                    == ["later|2", "poison|1", "thing.happened|6"])
            let states = try await runner.states()
            #expect(states.map(\.position) == [6, 9])
            let leftovers = try await rows(
                database, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '%\\_\\_rebuild'")
            #expect(leftovers.isEmpty)
        }
    }
    @Test("a projection that refuses at its finish drops out; the others are swapped in vacuumed, no scratch left")
    func refusalAtFinish() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database.store, streams: 3, perStream: 2)
            let runner = ProjectionRunner(
                store: database.store, projections: [RefusesAtFinish(), TypeCounts()], batchSize: 4)
            let failures = try await runner.rebuildAll(["refuses_at_finish", "type_counts"])
            #expect(
                failures.map(\.description) == [
                    "projection refuses_at_finish stopped at position 6 (stream client-2, type thing.happened): "
                        + "refused at the finish"
                ])
            #expect(try await rows(database, "SELECT type, n FROM type_counts.type_counts") == ["thing.happened|6"])
            #expect(
                try await rows(
                    database,
                    """
                    SELECT (last_vacuum IS NOT NULL)::text FROM pg_stat_user_tables
                    WHERE schemaname = 'type_counts' AND relname = 'type_counts'
                    """) == ["true"])
            let schemas = try await rows(
                database,
                """
                SELECT schema_name FROM information_schema.schemata
                WHERE schema_name LIKE 'refuses\\_at\\_finish%' OR schema_name LIKE '%\\_\\_rebuild'
                """)
            #expect(schemas.isEmpty, "\(schemas)")
            #expect(try await runner.states().map(\.position) == [0, 6])
        }
    }

    /// Autovacuum is off for scratch tables while they load; the rebuild vacuums and analyzes them and hands them
    /// back to it before the swap.
    @Test("a rebuild swaps in tables vacuumed, analyzed and with autovacuum on again")
    func swappedInVacuumed() async throws {
        try await TestDatabase.with { database in
            // (Enough history for a column with more distinct values than the statistics target.)
            try await StreamOrderRebuildTests.appendHistory(database.store, count: 1_000)
            let rebuilder = ProjectionRebuilder(store: database.store, batchSize: 50, progress: nil)
            #expect(try await rebuilder.rebuildAll(ClinicProjections.all()).isEmpty)
            let tables = try await rows(
                database,
                """
                SELECT n.nspname || '.' || c.relname || ' ' || coalesce(array_to_string(c.reloptions, ','), '-') || ' '
                       || (s.last_vacuum IS NOT NULL) || ' ' || (s.last_analyze IS NOT NULL)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_stat_user_tables s ON s.relid = c.oid
                WHERE c.relkind = 'r' AND n.nspname IN ('timeline', 'revenue', 'schedule', 'forecast')
                ORDER BY 1
                """)
            #expect(tables.count >= 10, "\(tables)")
            for line in tables {
                // No autovacuum option left (the rows' storage stays), vacuumed and analyzed. (Whether the vacuum
                // could mark pages all-visible depends on the transactions other tests have open.)
                #expect(line.hasSuffix(" true true") && !line.contains("autovacuum"), "\(line)")
            }
            // Analyzed at the rebuild's statistics target, not the server's default (100): no histogram has more
            // than target + 1 bounds, and some column has more distinct values than that, so it has exactly that.
            let bounds = try await rows(
                database,
                """
                SELECT coalesce(max(array_length(histogram_bounds::text::text[], 1)), 0)::text FROM pg_stats
                WHERE schemaname IN ('timeline', 'revenue', 'schedule', 'forecast', 'aftercare', 'portfolio')
                """)
            #expect(bounds == ["\(ProjectionRebuilder.statisticsTarget + 1)"])
        }
    }
}

/// Keeps a table of events seen, and refuses the last of them when its rebuild finishes.
private struct RefusesAtFinish: Projection {
    var name = "refuses_at_finish"
    var version = 1

    func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute("CREATE TABLE \(identifier: schema).seen (position bigint PRIMARY KEY)")
    }

    func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        for item in batch.items {
            try await connection.execute(
                "INSERT INTO \(identifier: schema).seen (position) VALUES (\(item.recorded.position))")
        }
    }

    func makeBuilder(in schema: String, on connection: PostgresConnection) async throws -> any ProjectionBuilder {
        Builder(projection: self, schema: schema)
    }

    final class Builder: ProjectionBuilder {
        let projection: RefusesAtFinish
        let schema: String
        var last: RecordedEvent?

        init(projection: RefusesAtFinish, schema: String) {
            self.projection = projection
            self.schema = schema
        }

        func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
            try await projection.apply(batch, in: schema, on: connection)
            last = batch.items.last?.recorded ?? last
        }

        func finish(on connection: PostgresConnection) async throws {
            guard let last else { return }
            throw ProjectionFailure(projection: projection.name, event: last, reason: "refused at the finish")
        }
    }
}
