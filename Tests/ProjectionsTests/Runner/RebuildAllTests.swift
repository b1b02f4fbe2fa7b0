import EventStore
import Foundation
import Postgres
@testable import Projections
import TestSupport
import Synchronization
import Testing

/// Every fold state table of the clinic projections in `suffix`ed schemas, as text, in key order.
func stateSnapshot(_ database: TestDatabase, suffix: String = "") async throws -> [String] {
    var lines: [String] = []
    for name in ["timeline", "revenue", "schedule", "traceability", "forecast"] {
        lines += try await rows(
            database,
            "SELECT key, state::text FROM \(identifier: name + suffix).\(identifier: name + "_state") ORDER BY key")
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
            for _ in 0..<3 {
                try await fixture.courseClient(UUID())
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
            #expect(try await stateSnapshot(database) == followedStates)
            #expect(try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id") == forecast)
            #expect(!followed.isEmpty && !followedStates.isEmpty && !forecast.isEmpty)
            let head = try await database.store.headPosition()
            #expect(try await runner.states().allSatisfy { $0.position == head && !$0.isFailed })
            let leftovers = try await rows(
                database, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '%\\_\\_rebuild'")
            #expect(leftovers.isEmpty)
            // Following goes on from the rebuilt states.
            try await fixture.courseClient(UUID())
            try await runner.catchUp()
            let after = try await snapshot(database)
            let afterStates = try await stateSnapshot(database)
            try await runner.rebuildAll(ClinicProjections.names)
            #expect(try await snapshot(database) == after)
            #expect(try await stateSnapshot(database) == afterStates)
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
                    "SELECT key, state::text FROM \(identifier: name).\(identifier: name + "_state") ORDER BY key")
                let small = try await rows(
                    database,
                    "SELECT key, state::text FROM \(identifier: name + "_small").\(identifier: name + "_state") ORDER BY key"
                )
                #expect(small == live)
                #expect(live.count > 1, "more keys than the cache holds")
            }
        }
    }

    @Test(
        "evicted states kept encoded within the byte budget never reach the state table before finish, and the rebuild writes what following wrote"
    )
    func encodedStatesStayInMemory() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 5)
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<4 { try await fixture.courseClient(UUID()) }
            try await runner.catchUp()
            let projections: [any FoldingProjection] = [TimelineProjection(), RevenueProjection(), ForecastFold()]
            for projection in projections {
                let name = projection.name
                // One state as a value: every other key's state is evicted between its events.
                let kept = try await buildWithCapacity(
                    projection, capacity: 1, encodedCapacity: 1 << 20, suffix: "_kept", database: database)
                // No room for encoded states: every evicted one is written to the table and read back.
                let spilled = try await buildWithCapacity(
                    projection, capacity: 1, encodedCapacity: 0, suffix: "_spilled", database: database)
                #expect(kept == 0, "\(name): the encoded states stayed in memory until finish")
                #expect(spilled > 1, "\(name): without room, evicted states went to the table")
                let live = try await rows(
                    database,
                    "SELECT key, state::text FROM \(identifier: name).\(identifier: name + "_state") ORDER BY key")
                #expect(live.count > 1, "more keys than the cache holds")
                for suffix in ["_kept", "_spilled"] {
                    #expect(
                        try await rows(
                            database,
                            """
                            SELECT key, state::text FROM \(identifier: name + suffix).\(identifier: name + "_state")
                            ORDER BY key
                            """) == live, "\(name)\(suffix)")
                }
            }
            #expect(try await snapshot(database, schemas: ("timeline_kept", "revenue_kept")) == snapshot(database))
            #expect(
                try await snapshot(database, schemas: ("timeline_spilled", "revenue_spilled")) == snapshot(database))
            let forecast = try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id")
            #expect(forecast.count == 4)
            for schema in ["forecast_kept", "forecast_spilled"] {
                #expect(
                    try await rows(database, "SELECT * FROM \(identifier: schema).forecast_clients ORDER BY client_id")
                        == forecast)
            }
        }
    }

    @Test("a rebuild of all projections within a small shared state budget writes what a large budget writes")
    func sharedStateBudget() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<4 { try await fixture.courseClient(UUID()) }
            let budget = 3
            var results: [(tables: [String], states: [String], forecast: [String], peak: Int)] = []
            // Large budgets; a small one of states with encoded states kept; and one writing every evicted state.
            for (stateBudget, encodedBudget) in [(1_000_000, 1 << 20), (budget, 1 << 20), (budget, 0)] {
                let peak = Mutex(0)
                let rebuilder = ProjectionRebuilder(
                    store: database.store, batchSize: 5, stateBudget: stateBudget, encodedBudget: encodedBudget,
                    progress: { progress in peak.withLock { $0 = max($0, progress.statesHeld) } })
                #expect(try await rebuilder.rebuildAll(ClinicProjections.all()).isEmpty)
                results.append(
                    (
                        try await snapshot(database), try await stateSnapshot(database),
                        try await rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id"),
                        peak.withLock { $0 }
                    ))
            }
            let large = results[0]
            #expect(large.peak > budget, "the large budget held more states than the small one allows")
            for small in results.dropFirst() {
                #expect(small.peak <= budget)
                #expect(small.tables == large.tables)
                #expect(small.states == large.states)
                #expect(small.forecast == large.forecast)
            }
            #expect(!large.tables.isEmpty && large.forecast.count == 4)
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

    /// Builds `projection` into `<name><suffix>` through a `FoldingBuilder` of `capacity` states and
    /// `encodedCapacity` bytes of encoded ones; returns how many states its state table held before `finish`.
    @discardableResult
    private func buildWithCapacity<P: FoldingProjection>(
        _ projection: P, capacity: Int, encodedCapacity: Int = 0, suffix: String = "_small", database: TestDatabase
    ) async throws -> Int {
        let schema = projection.name + suffix
        try await database.pool.withConnection { connection in
            try await connection.execute("CREATE SCHEMA \(identifier: schema)")
            try await projection.createTables(in: schema, on: connection)
        }
        let builder = FoldingBuilder(
            projection: projection, schema: schema, capacity: capacity, encodedCapacity: encodedCapacity)
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
}
