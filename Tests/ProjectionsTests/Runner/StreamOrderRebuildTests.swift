import Clinic
import EventStore
import Foundation
import Postgres
@testable import Projections
import Synchronization
import TestSupport
import Testing

/// Every table of `schema` (fold states included), each row as text, tables by name and rows sorted; with
/// `tablesOf`, only the tables that schema has.
func allTables(_ database: TestDatabase, schema: String, tablesOf: String? = nil) async throws -> [String] {
    let names = try await rows(
        database,
        """
        SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(tablesOf ?? schema)
        ORDER BY table_name
        """)
    var lines: [String] = []
    for name in names {
        lines.append("# \(name)")
        lines += try await database.rowsAsText(schema: schema, table: name)
    }
    return lines
}

@Suite("Rebuilding in stream order")
struct StreamOrderRebuildTests {
    /// Appends the first `count` events of a seeded clinic history one by one, so that its streams (clients,
    /// technicians, locations, pigment batches) interleave in the log as they happened.
    static func appendHistory(_ store: EventStore, count: Int, seed: UInt64 = 11) async throws {
        var appended = 0
        for pending in ClinicHistory(HistoryConfiguration(seed: seed, clientCount: 30)) {
            guard appended < count else { break }
            let (type, schemaVersion, data) = try pending.event.encoded()
            try await store.append(
                [NewEvent(type: type, schemaVersion: schemaVersion, data: data)],
                to: try EventStreamName(pending.stream.rawValue),
                expectedVersion: .any)
            appended += 1
        }
    }

    @Test(
        "a log whose streams interleave, read in stream order in batches of 3 to 7, rebuilds every projection's tables and states as following wrote them"
    )
    func interleavedLogEqualsFollowing() async throws {
        try await TestDatabase.with { database in
            try await Self.appendHistory(database.store, count: 400)
            let projections = ClinicProjections.all(for: database.store)
            #expect(projections.count == 8)
            try await ProjectionRunner(store: database.store, projections: projections, batchSize: 5).catchUp()
            var followed: [String: [String]] = [:]
            for projection in projections {
                followed[projection.name] = try await allTables(database, schema: projection.name)
            }
            // Streams do interleave: most streams' events are not one run in the log.
            let interleaved = try await rows(
                database,
                """
                SELECT count(*) FROM (SELECT stream FROM events GROUP BY stream
                HAVING max(position) - min(position) + 1 > count(*)) s
                """)
            #expect((Int(interleaved.first ?? "") ?? 0) >= 10)
            for batchSize in [3, 4, 7] {
                let peak = Mutex(0)
                let rebuilder = ProjectionRebuilder(
                    store: database.store, batchSize: batchSize,
                    progress: { progress in peak.withLock { $0 = max($0, progress.statesHeld) } })
                #expect(try await rebuilder.rebuildAll(projections).isEmpty)
                // (The clients' states, which the rebuild left to be folded from their streams, stored to compare.)
                try await database.storeLeftStates()
                for projection in projections {
                    let tables = try await allTables(database, schema: projection.name)
                    #expect(tables == followed[projection.name], "\(projection.name), batches of \(batchSize)")
                    #expect(tables.count > 3, "\(projection.name) has rows")
                }
                // Read in stream order, each builder holds at most the state of the stream a batch ended with.
                #expect(peak.withLock { $0 } <= projections.count, "batches of \(batchSize)")
            }
        }
    }

    @Test(
        "a builder fed in stream order up to a head, then the events appended after it in log order, writes what following wrote"
    )
    func appendedDuringTheRebuild() async throws {
        try await TestDatabase.with { database in
            try await Self.appendHistory(database.store, count: 260)
            let head = try await database.store.headPosition()
            // Events appended after the head the rebuild read: among them, events of streams it folded.
            try await ClinicHistoryFixture(store: database.store).courseClient(UUID())
            try await Self.appendHistory(database.store, count: 120, seed: 12)
            let projections = ClinicProjections.all(for: database.store)
            try await ProjectionRunner(store: database.store, projections: projections, batchSize: 6).catchUp()
            let vault = database.store.vault
            try await build(TimelineProjection(), head: head, database: database)
            try await build(RevenueProjection(), head: head, database: database)
            try await build(ScheduleProjection(), head: head, database: database)
            try await build(TraceabilityProjection(), head: head, database: database)
            try await build(ForecastFold(), head: head, database: database)
            try await build(PortfolioProjection(), head: head, database: database)
            try await build(AftercareProjection(), head: head, database: database)
            let key = try #require(BlindIndexKey(vault: vault))
            try await build(SearchProjection(key: key), head: head, database: database)
        }
    }

    /// Builds `projection` into `<name>_streamed`: the log up to `head` in stream order in batches of 5, `finish`,
    /// then the events after `head` in log order, `finish`; expects every table to equal the live schema's.
    private func build<P: FoldingProjection>(_ projection: P, head: Int64, database: TestDatabase) async throws {
        let schema = projection.name + "_streamed"
        try await database.pool.withConnection { connection in
            try await connection.execute("CREATE SCHEMA \(identifier: schema)")
            try await projection.createTables(in: schema, on: connection)
        }
        let builder = StreamOrderBuilder(projection: projection, schema: schema)
        #expect(builder.takesStreamOrder)
        var cursor: StreamCursor?
        var batches = 0
        while true {
            let page = try await database.store.readInStreamOrder(after: cursor, limit: 5, upTo: head)
            guard let next = page.next else { break }
            #expect(page.events.allSatisfy { $0.position <= head })
            let batch = ProjectionBatch(events: page.events)
            try await database.pool.withTransaction { try await builder.applyInStreamOrder(batch, on: $0) }
            cursor = next
            batches += 1
        }
        #expect(batches >= Int(head) / 5)
        try await database.pool.withTransaction { try await builder.finish(on: $0) }
        var checkpoint = Checkpoint(position: head)
        while true {
            let page = try await database.store.readAll(after: checkpoint, limit: 5)
            guard !page.events.isEmpty else { break }
            // (Read from the store: the states the pass left are folded from it.)
            let batch = ProjectionBatch(events: page.events, store: database.store)
            try await database.pool.withTransaction { try await builder.apply(batch, on: $0) }
            checkpoint = page.next
        }
        try await database.pool.withTransaction { try await builder.finish(on: $0) }
        try await database.storeLeftStates(suffix: "_streamed")
        let built = try await allTables(database, schema: schema)
        // The live schema may hold more tables (forecast's parameters): only the builder's are compared.
        let live = try await allTables(database, schema: projection.name, tablesOf: schema)
        #expect(built == live, "\(projection.name)")
        #expect(built.count > 4, "\(projection.name) has rows")
    }

    @Test(
        "an appointment id two clients used: a stream-ordered rebuild sees the row written from two streams and folds in log order, as following"
    )
    func rowKeyFromTwoStreams() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            // In stream order `client-0…` comes before `client-f…`; in the log it books the shared appointment last.
            let first = try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000001"))
            let last = try #require(UUID(uuidString: "ffffffff-0000-4000-8000-000000000001"))
            let shared = UUID()
            func booking(_ start: String) -> ClientEvent {
                .sessionBooked(
                    SessionBooked(
                        at: ClinicHistoryFixture.day("2026-01-10"), appointmentID: shared, sessionNumber: 1,
                        slot: TimeSlot(
                            start: ClinicHistoryFixture.day(start), end: ClinicHistoryFixture.day(start, 13)),
                        locationID: ClinicHistoryFixture.soho, technicianID: ClinicHistoryFixture.ana))
            }
            try await fixture.courseClient(last)
            try await fixture.append(last, [booking("2026-04-01")])
            try await fixture.courseClient(first)
            try await fixture.append(first, [booking("2026-05-01")])
            let projections: [any Projection] = [ScheduleProjection(), RevenueProjection(), TimelineProjection()]
            let runner = ProjectionRunner(store: database.store, projections: projections, batchSize: 4)
            try await runner.catchUp()
            var followed: [String: [String]] = [:]
            for projection in projections {
                followed[projection.name] = try await allTables(database, schema: projection.name)
            }
            let row = try await rows(
                database,
                "SELECT client_id::text, starts_at::date::text FROM schedule.schedule_appointments WHERE appointment_id = \(shared)"
            )
            #expect(row == ["\(first.uuidString.lowercased())|2026-05-01"], "following: the later booking's row")
            #expect(try await runner.rebuildAll(projections.map(\.name)).isEmpty)
            try await database.storeLeftStates()
            for projection in projections {
                #expect(try await allTables(database, schema: projection.name) == followed[projection.name])
            }
        }
    }

    @Test(
        "a fold state fed by every client stream: a stream-ordered rebuild sees its events come from two streams and folds in log order, as following"
    )
    func stateKeyFromManyStreams() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            // In the log `client-f…` comes first; in stream order last. Adjacent streams in one batch fold as one run.
            for prefix in ["ffffffff", "00000000", "88888888"] {
                try await fixture.courseClient(try #require(UUID(uuidString: "\(prefix)-0000-4000-8000-000000000003")))
            }
            let runner = ProjectionRunner(store: database.store, projections: [ClientsInOne()], batchSize: 7)
            try await runner.catchUp()
            let followed = try await allTables(database, schema: "clients_in_one")
            let order = try await rows(database, "SELECT positions FROM clients_in_one.clients_in_one")
            let positions = (order.first ?? "").split(separator: ",").compactMap { Int64($0) }
            #expect(positions.count > 10 && positions == positions.sorted(), "following folds in log order")
            #expect(try await runner.rebuildAll(["clients_in_one"]).isEmpty)
            #expect(try await allTables(database, schema: "clients_in_one") == followed)
        }
    }

    @Test(
        "a fold state naming another stream than its events came from: the rebuild does not leave it to be folded from that stream but folds in log order, as following"
    )
    func stateNamingAnotherStream() async throws {
        try await TestDatabase.with { database in
            try await ClinicHistoryFixture(store: database.store).courseClient(UUID())
            let projection = ClientsInOne(namedStream: "client-00000000-0000-4000-8000-00000000dead")
            let runner = ProjectionRunner(store: database.store, projections: [projection], batchSize: 7)
            try await runner.catchUp()
            let followed = try await allTables(database, schema: "clients_in_one")
            #expect(try await runner.rebuildAll(["clients_in_one"]).isEmpty)
            #expect(try await allTables(database, schema: "clients_in_one") == followed)
            // The state is stored (log order), with no mark of states left to fold.
            let keys = try await rows(database, "SELECT key FROM clients_in_one.clients_in_one_state ORDER BY key")
            #expect(keys == ["clients"])
        }
    }

    @Test(
        "an appointment id two clients used: a stream-ordered builder finds the row key written twice whether the two rows meet in memory or in the table"
    )
    func rowKeyFromTwoStreamsInTheTable() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            let first = try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000004"))
            let last = try #require(UUID(uuidString: "ffffffff-0000-4000-8000-000000000004"))
            let shared = UUID()
            for (client, start) in [(last, "2026-04-01"), (first, "2026-05-01")] {
                try await fixture.courseClient(client)
                try await fixture.append(
                    client,
                    [
                        .sessionBooked(
                            SessionBooked(
                                at: ClinicHistoryFixture.day("2026-01-10"), appointmentID: shared, sessionNumber: 1,
                                slot: TimeSlot(
                                    start: ClinicHistoryFixture.day(start),
                                    end: ClinicHistoryFixture.day(start, 13)),
                                locationID: ClinicHistoryFixture.soho, technicianID: ClinicHistoryFixture.ana))
                    ])
            }
            let head = try await database.store.headPosition()
            // Rows held back until the end (they meet in `HeldRows`), or written with their stream (in the table).
            for limit in [FoldingBuilderDefaults.deferredRows, 0] {
                let schema = "schedule_limit_\(limit)"
                let projection = ScheduleProjection()
                try await database.pool.withConnection { connection in
                    try await connection.execute("CREATE SCHEMA \(identifier: schema)")
                    try await projection.createTables(in: schema, on: connection)
                }
                let builder = StreamOrderBuilder(projection: projection, schema: schema, deferredLimit: limit)
                var cursor: StreamCursor?
                var conflict: StreamOrderConflict?
                repeat {
                    let page = try await database.store.readInStreamOrder(after: cursor, limit: 4, upTo: head)
                    cursor = page.next
                    do {
                        try await database.pool.withTransaction {
                            try await builder.applyInStreamOrder(ProjectionBatch(events: page.events), on: $0)
                        }
                    } catch let error as StreamOrderConflict {
                        conflict = error
                    }
                } while cursor != nil && conflict == nil
                #expect(
                    conflict?.description
                        == "projection schedule cannot be rebuilt in stream order: a row of schedule_appointments is written from the events of two streams",
                    "deferred rows up to \(limit)")
            }
        }
    }

    @Test(
        "an order-free accumulate table's rows are added up in memory during a stream-ordered pass and staged and stored once it ends, NULL where any row's is NULL, as following wrote them"
    )
    func sumsAddedUpAtTheEnd() async throws {
        try await TestDatabase.with { database in
            try await Self.appendHistory(database.store, count: 150)
            let projection = TypeSums()
            try await ProjectionRunner(store: database.store, projections: [projection], batchSize: 4).catchUp()
            let nulls = try await rows(database, "SELECT count(*) FROM type_sums.type_sums WHERE maybe IS NULL")
            #expect((Int(nulls.first ?? "") ?? 0) > 0, "some types' sums are NULL")
            let schema = "type_sums_streamed"
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE SCHEMA \(identifier: schema)")
                try await projection.createTables(in: schema, on: connection)
            }
            // No rows held back: every batch's rows go to the sums' stage.
            let builder = StreamOrderBuilder(projection: projection, schema: schema, deferredLimit: 0)
            let head = try await database.store.headPosition()
            var cursor: StreamCursor?
            var batches = 0
            repeat {
                let page = try await database.store.readInStreamOrder(after: cursor, limit: 5, upTo: head)
                cursor = page.next
                try await database.pool.withTransaction {
                    try await builder.applyInStreamOrder(ProjectionBatch(events: page.events), on: $0)
                }
                batches += 1
                if batches == 20 {
                    // Added up in memory: nothing staged yet (the staging table is made with the first rows
                    // staged), the table still empty.
                    let staging = try await rows(
                        database, "SELECT to_regclass('type_sums_streamed.type_sums__sums') IS NULL")
                    #expect(staging == ["t"])
                    #expect(try await rows(database, "SELECT count(*) FROM type_sums_streamed.type_sums") == ["0"])
                }
            } while cursor != nil
            #expect(batches > 20)
            // The pass's end left the adding up to whoever takes it (the rebuild, on a connection of its own):
            // the table is still empty, and the builder's `finish` no longer adds them up.
            #expect(try await rows(database, "SELECT count(*) FROM type_sums_streamed.type_sums") == ["0"])
            let loads = builder.takeDeferredLoads()
            #expect(loads.map(\.name) == ["type_sums__sums"])
            #expect(builder.takeDeferredLoads().isEmpty)
            for var stage in loads {
                // (No physical order declared: the rows are added up in no particular order.)
                #expect(try await database.pool.withTransaction { try await stage.load(on: $0) } == false)
            }
            #expect(try await rows(database, "SELECT count(*) > 0 FROM type_sums_streamed.type_sums") == ["t"])
            try await database.pool.withTransaction { try await builder.finish(on: $0) }
            let stagingLeft = try await rows(
                database, "SELECT to_regclass('type_sums_streamed.type_sums__sums') IS NULL")
            #expect(stagingLeft == ["t"], "the staging table is dropped")
            #expect(
                try await allTables(database, schema: schema)
                    == (try await allTables(database, schema: "type_sums", tablesOf: schema)))
        }
    }

    @Test(
        "past the keys it holds in memory a sum stage stages its totals and starts afresh; rows memory cannot add are staged as they are; the table ends with the server's sums"
    )
    func sumStageStagesPastItsKeys() async throws {
        try await TestDatabase.with { database in
            let projection = TypeSums()
            let schema = "type_sums_staged"
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE SCHEMA \(identifier: schema)")
                try await projection.createTables(in: schema, on: connection)
            }
            let table = try #require(projection.tables.first)
            var stage = SumStage(table: table, schema: schema, maximumKeys: 3)
            // t0 passes Int64 in memory (its second row is staged as it is) and ends within it; t1 has a NULL; the
            // last row is still in memory when the stage is loaded.
            let values: [(String, Int64?)] = [
                ("t0", Int64.max - 1), ("t0", 5), ("t1", nil), ("t2", 2), ("t0", -10), ("t1", 7), ("t2", 2), ("t3", 3),
                ("t4", 4), ("t3", 3),
            ]
            var staged: [String] = []
            try await database.pool.withTransaction { connection in
                for (type, maybe) in values {
                    var rows = KeyedRows()
                    rows.add(
                        ["type": .text(type), "n": .int(1), "maybe": maybe.map(RowValue.int) ?? .null],
                        policy: MergePolicy(table))
                    try await stage.append(rows, on: connection)
                    let exists = try await connection.query(
                        "SELECT to_regclass('type_sums_staged.type_sums__sums') IS NOT NULL"
                    ).first?.decode(Bool.self)
                    staged.append(
                        exists == true
                            ? String(
                                try await connection.query("SELECT count(*) FROM type_sums_staged.type_sums__sums")
                                    .first?.decode(Int64.self) ?? -1)
                            : "-")
                }
            }
            // Staged when three were held (t0, the t0 row memory could not add, t1), and again each time three keys
            // were held anew (t2, t0, t1; t2, t3, t4).
            #expect(staged == ["-", "-", "3", "3", "3", "6", "6", "6", "9", "9"])
            #expect(stage.holdsRows)
            #expect(try await database.pool.withTransaction { try await stage.load(on: $0) } == false)
            #expect(!stage.holdsRows)
            #expect(
                try await rows(
                    database,
                    "SELECT type, n, coalesce(maybe::text, 'NULL') FROM type_sums_staged.type_sums ORDER BY type")
                    == ["t0|3|\(Int64.max - 6)", "t1|2|NULL", "t2|2|4", "t3|2|6", "t4|1|4"])
            #expect(try await rows(database, "SELECT to_regclass('type_sums_staged.type_sums__sums') IS NULL") == ["t"])
        }
    }

    @Test(
        "a projection refusing events of two streams mid-stream names the first refused in log order; the others are swapped in"
    )
    func refusalMidStream() async throws {
        try await TestDatabase.with { database in
            let fixture = ClinicHistoryFixture(store: database.store)
            let early = try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000002"))
            let late = try #require(UUID(uuidString: "ffffffff-0000-4000-8000-000000000002"))
            func poison(_ client: UUID) async throws {
                try await database.store.append(
                    [NewEvent(type: "poison", json: "{}")],
                    to: try EventStreamName("client-\(client.uuidString.lowercased())"), expectedVersion: .any)
            }
            try await fixture.courseClient(late)
            try await fixture.courseClient(early)
            try await poison(late)  // refused first in the log; its stream comes last in stream order
            try await fixture.courseClient(late)
            try await poison(early)
            try await fixture.courseClient(early)
            let lateStream = "client-\(late.uuidString.lowercased())"
            let firstPoison = try await rows(
                database, "SELECT position FROM events WHERE type = 'poison' AND stream = \(lateStream)")
            let runner = ProjectionRunner(
                store: database.store, projections: [TimelineProjection(), TypeCounts()], batchSize: 4)
            let failures = try await runner.rebuildAll(["timeline", "type_counts"])
            #expect(
                failures.map(\.description) == [
                    "projection timeline stopped at position \(firstPoison.first ?? "?") (stream \(lateStream), type poison): \(failures.first?.reason ?? "")"
                ])
            #expect(
                try await rows(database, "SELECT n FROM type_counts.type_counts WHERE type = 'poison'") == ["2"],
                "the other projection is swapped in")
            let leftovers = try await rows(
                database, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '%\\_\\_rebuild'")
            #expect(leftovers.isEmpty)
        }
    }
}

/// A fold state every client stream feeds (its key is not a function of one stream): the positions of its events
/// in the order it folds them.
struct ClientsInOne: FoldingProjection {
    var name = "clients_in_one"
    var version = 1

    var tables: [TableSpec] {
        [
            TableSpec(
                name: "clients_in_one", columns: [.init("key", "text NOT NULL"), .init("positions", "text NOT NULL")],
                primaryKey: ["key"], mode: .upsert)
        ]
    }

    /// The stream the key names (`FoldingProjection.stream(forKey:)`), if any.
    var namedStream: String?

    func stateKey(for stream: EventStreamName) -> String? { stream.category == "client" ? "clients" : nil }

    func stream(forKey key: String) -> EventStreamName? { namedStream.flatMap { try? EventStreamName($0) } }

    func initialState(for key: String) -> [Int64] { [] }

    func fold(
        _ state: inout [Int64], _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        state.append(recorded.position)
        try output.write(
            "clients_in_one",
            ["key": .text("clients"), "positions": .text(state.map(String.init).joined(separator: ","))])
    }
}

/// Per event type: how many events, and the sum of their positions, NULL once an event of a stream whose name
/// ends in 0–3 adds to it (an order-free `accumulate` table whose sums may be NULL).
struct TypeSums: FoldingProjection {
    var name = "type_sums"
    var version = 1

    var tables: [TableSpec] {
        [
            TableSpec(
                name: "type_sums",
                columns: [.init("type", "text NOT NULL"), .init("n", "bigint NOT NULL"), .init("maybe", "bigint")],
                primaryKey: ["type"], mode: .accumulate(["n", "maybe"]))
        ]
    }

    func stateKey(for stream: EventStreamName) -> String? { stream.rawValue }

    func initialState(for key: String) -> Int { 0 }

    func fold(_ state: inout Int, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput)
        throws
    {
        state += 1
        // The events of streams whose name ends in 0–3 make their type's sum NULL.
        let nulls = recorded.stream.rawValue.last.map { "0123".contains($0) } ?? false
        try output.write(
            "type_sums",
            ["type": .text(recorded.type), "n": .int(1), "maybe": nulls ? .null : .int(recorded.position)])
    }
}
