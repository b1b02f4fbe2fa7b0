import EventStore
import Foundation
import Postgres

/// Builds projections from the log into fresh schemas: the rebuild that swaps them in (`rebuildAll`)
/// and the auditor's as-of snapshot (`buildSnapshot`). `ProjectionRunner` is its public face; the
/// live runner and this share only the checkpoint table (`ProjectionCheckpoints`).
struct ProjectionRebuilder: Sendable {
    let store: EventStore
    let batchSize: Int
    let progress: (@Sendable (ProjectionRunner.Progress) -> Void)?

    private var pool: ConnectionPool { store.pool }

    /// Rebuilds several projections together, each into a fresh schema swapped in at the end.
    ///
    /// The log up to the head read at the start is read once in stream order (`EventStore.readInStreamOrder`)
    /// for the builders that take it (`ProjectionBuilder.takesStreamOrder`: every `FoldingProjection`'s,
    /// whose fold states are keyed by stream, so each state is final once its stream ends and is written
    /// once), and once in log order for the others (only if there are any), including a builder that found
    /// it cannot be fed in stream order (`StreamOrderConflict`) or refused an event in stream order: its
    /// scratch schema is made again and it is fed in log order from the start, so that a refusal names the
    /// first refused event in log order. Each batch is read and decoded once (the next ones while the
    /// current one is folded) and fed to every builder of the pass, up to `width` at a time, each on a pooled
    /// connection of its own in a transaction of its own: in stream order each builder at its own pace, a few
    /// batches ahead of the slowest at most (`StreamPass`); in log order the next batch starts when every
    /// builder has taken this one. A projection that refuses an event in log order drops out (its scratch
    /// schema is dropped, its live schema and checkpoint stay as they were) and its `ProjectionFailure` is
    /// returned; the others go on. Every builder finishes the log up to that head concurrently (each on a
    /// connection and in a transaction of its own), and each of its tables is vacuumed once it has
    /// (`finishAndVacuum`); then the events appended meanwhile are fed in log
    /// order, and every `finish` and the swaps happen in one transaction, one builder after another. The
    /// scratch tables are created without their secondary indexes (`Projection.createUnindexedTables`),
    /// which are built once after that finish; the transactions before the swap commit without waiting for
    /// the disk, and the swap refuses if the database crashed meanwhile (`crashMarker`).
    func rebuildAll(_ projections: [any Projection]) async throws -> [ProjectionFailure] {
        var selected: [any Projection] = []
        for projection in projections where !selected.contains(where: { $0.name == projection.name }) {
            selected.append(projection)
        }
        guard !selected.isEmpty else { return [] }
        let label = selected.count == 1 ? selected[0].name : "all"
        var building: [Building] = []
        var failures: [ProjectionFailure] = []
        do {
            let settings = try await pool.withConnection { connection in
                let settings = try await Self.transactionSettings(on: connection)
                for (order, projection) in selected.enumerated() {
                    building.append(try await Self.prepare(projection, order: order, on: connection))
                }
                try await Self.createCrashMarker(in: building[0].scratch, on: connection)
                return settings
            }
            let marker = building[0].scratch
            let head = try await resolveHead(nil)
            var byStream = building.filter(\.builder.takesStreamOrder)
            var byLog = building.filter { !$0.builder.takesStreamOrder }
            var applied = 0
            if !byStream.isEmpty {
                let again = try await streamPass(&byStream, head: head, label: label, settings: settings)
                if !again.isEmpty {
                    // Made again, empty, to be fed in log order (the crash marker checked first and made again
                    // with its schema: the transactions of the pass so far committed without waiting for the disk).
                    try await pool.withConnection { connection in
                        for entry in again {
                            if entry.scratch == marker { try await Self.expectNoCrash(marker: marker, on: connection) }
                            byLog.append(try await Self.prepare(entry.projection, order: entry.order, on: connection))
                            if entry.scratch == marker { try await Self.createCrashMarker(in: marker, on: connection) }
                        }
                    }
                }
            }
            var position: Int64 = 0
            if !byLog.isEmpty {
                applied = 0
                var next = try await readBatch(after: 0, upTo: head)
                while let last = next.lastPosition {
                    let batch = next
                    async let following = readBatch(after: last, upTo: head)
                    try await feedConcurrently(batch, to: &byLog, failures: &failures, settings: settings)
                    position = last
                    applied += batch.items.count
                    progress?(
                        ProjectionRunner.Progress(
                            projection: label, position: position, head: head, eventsApplied: applied,
                            statesHeld: byLog.reduce(0) { $0 + $1.builder.heldStateCount }))
                    next = try await following
                }
            }
            position = head
            building = (byStream + byLog).sorted { $0.order < $1.order }
            // Every builder finishes the log read so far concurrently, each in a transaction of its own
            // (`finish` was the serial tail of a rebuild); the swap's transaction below then folds and
            // finishes only what was appended meanwhile.
            try await finishAndVacuum(&building, failures: &failures, settings: settings)
            try await pool.withTransaction { connection in
                try await Self.expectNoCrash(marker: marker, on: connection)
                for entry in building {
                    let name = entry.projection.name
                    try await ProjectionCheckpoints.register(entry.projection, on: connection)
                    // Hold the checkpoint row: a live runner's next batch waits here, then sees the new position.
                    try await ProjectionCheckpoints.lock(name, on: connection)
                }
                // The events appended since the rebuild read the head, in log order.
                let tailHead = try await resolveHead(nil)
                while position < tailHead {
                    let batch = try await readBatch(after: position, upTo: tailHead)
                    guard let last = batch.lastPosition else { break }
                    try await Self.feed(batch, to: &building, failures: &failures, on: connection)
                    position = last
                }
                var finished: [Building] = []
                for entry in building {
                    do {
                        try await entry.builder.finish(on: connection)
                        finished.append(entry)
                    } catch let failure as ProjectionFailure {
                        failures.append(failure)
                    }
                }
                for entry in finished {
                    let name = entry.projection.name
                    try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: name) CASCADE")
                    try await connection.execute(
                        "ALTER SCHEMA \(identifier: entry.scratch) RENAME TO \(identifier: name)")
                    try await ProjectionCheckpoints.rebuilt(
                        name, version: entry.projection.version, at: position, on: connection)
                }
            }
        } catch {
            await dropScratch(building.map(\.scratch) + failures.map { $0.projection + "__rebuild" })
            throw error
        }
        await dropScratch(failures.map { $0.projection + "__rebuild" })
        return failures
    }

    /// Makes `projection`'s scratch schema afresh (dropping what an earlier attempt left), its tables
    /// without their secondary indexes (built once the log is loaded, `finishAndVacuum`), and its builder.
    private static func prepare(
        _ projection: any Projection, order: Int, on connection: PostgresConnection
    ) async throws -> Building {
        let scratch = projection.name + "__rebuild"
        try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: scratch) CASCADE")
        try await connection.execute("CREATE SCHEMA \(identifier: scratch)")
        try await projection.createUnindexedTables(in: scratch, on: connection)
        for table in try await tables(in: scratch, on: connection) {
            try await connection.execute(
                "ALTER TABLE \(identifier: scratch).\(identifier: table) SET (autovacuum_enabled = false)")
        }
        let builder = try await projection.makeBuilder(in: scratch, on: connection)
        return Building(projection: projection, scratch: scratch, builder: builder, order: order)
    }

    /// The settings every transaction of a rebuild before the swap starts with (`eachConcurrently`): its commit
    /// does not wait for the disk, and values too large for a row's page (the bigger fold states and subjects)
    /// are compressed with lz4 where the server has it, not pglz (a rebuild of 1M events spent ~2 s of server
    /// CPU in pglz for the forecast's rows alone when they held the fade curve, ~0.5 s with lz4; the stored
    /// values read back the same, and live writes keep the server's default).
    static func transactionSettings(on connection: PostgresConnection) async throws -> SQL {
        let lz4 = try await connection.query(
            "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        let hasLZ4 = try lz4.first?.decode(Bool.self) == true
        // (`set_config(…, true)` is `SET LOCAL`: until the transaction ends.)
        return hasLZ4
            ? "SELECT set_config('synchronous_commit', 'off', true), set_config('default_toast_compression', 'lz4', true)"
            : "SELECT set_config('synchronous_commit', 'off', true)"
    }

    /// A projection being rebuilt.
    ///
    /// `@unchecked Sendable` because a `ProjectionBuilder` is a class with mutable state and no lock:
    /// `rebuildAll` gives each builder to at most one task at a time (`eachConcurrently` starts one
    /// child per entry and waits for all of them before a builder is used again; `StreamPass` hands a
    /// builder's next batch to one worker, and to another only once that one is done).
    private struct Building: @unchecked Sendable {
        var projection: any Projection
        var scratch: String
        var builder: any ProjectionBuilder
        /// Its place among the projections asked for (the swaps and failures keep that order).
        var order: Int
    }

    /// Builders that take a batch at the same time: one pooled connection each, one more left for
    /// reading the next batch, and no more than the cores can fold (the folds are the client's CPU;
    /// a few more than the cores keep them busy while a builder waits for PostgreSQL).
    private var width: Int {
        min(max(1, pool.maximumConnections - 1), max(2, 2 * ProjectionBatch.cores))
    }

    /// Runs `body` for every entry, up to `width` at a time, each on a pooled connection of its own, in a
    /// transaction that starts with `settings` (`transactionSettings`); returns the results in the entries' order.
    private func eachConcurrently<T: Sendable>(
        _ entries: [Building], settings: SQL,
        _ body: @escaping @Sendable (Building, PostgresConnection) async throws -> T
    ) async throws -> [T] {
        let pool = self.pool
        let width = self.width
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results: [Int: T] = [:]
            var started = 0
            while started < entries.count {
                if started >= width, let done = try await group.next() { results[done.0] = done.1 }
                let index = started
                let entry = entries[index]
                group.addTask {
                    let result = try await pool.withTransaction { connection in
                        // Safe: the rebuild's last transaction (the swap) commits synchronously, and its
                        // WAL flush covers every earlier record; a crash before it empties the crash
                        // marker, the swap then refuses, and the next rebuild drops the scratch schemas.
                        // (`transactionSettings`: and lz4 for large values.)
                        try await connection.execute(settings)
                        return try await body(entry, connection)
                    }
                    return (index, result)
                }
                started += 1
            }
            while let done = try await group.next() { results[done.0] = done.1 }
            return entries.indices.compactMap { results[$0] }
        }
    }

    /// Feeds a batch to every builder, concurrently (`eachRefusable`).
    private func feedConcurrently(
        _ batch: ProjectionBatch, to building: inout [Building], failures: inout [ProjectionFailure], settings: SQL
    ) async throws {
        try await eachRefusable(&building, failures: &failures, settings: settings) {
            try await $0.builder.apply(batch, on: $1)
        }
    }

    /// Finishes every builder (after adding up the sums its stream-ordered pass staged, `StreamOrderLoads`, each
    /// a job of its own), builds its tables' secondary indexes (`Projection.createIndexes`: once over the
    /// loaded tables, not row by row during the load) and puts the rows in their physical order
    /// (`Projection.orderLoadedRows`), each builder in a transaction of its own (starting with `settings`,
    /// `transactionSettings`); then vacuums each of its tables (`vacuum`) as soon as it is finished, each table a
    /// job of its own outside a transaction. Up to `width` jobs run at a time: sums, then finishes, then vacuums.
    /// A builder that refuses an event leaves `building` for `failures`, in `building`'s order, and its tables
    /// are not vacuumed.
    ///
    /// Until 2026-12-07 every builder finished before any table was vacuumed, and a projection's tables were
    /// vacuumed one after another on one connection: the tail after the pass waited for the slowest finish
    /// (revenue's) and then for the projection with the most tables, with a core partly idle meanwhile.
    private func finishAndVacuum(
        _ building: inout [Building], failures: inout [ProjectionFailure], settings: SQL
    ) async throws {
        enum Job: Sendable {
            case load(Int, SumStage)
            case finish(Int)
            case vacuum(schema: String, table: String)
        }
        let entries = building
        let pool = self.pool
        let width = self.width
        var refusals: [Int: ProjectionFailure] = [:]
        // The sums a builder's pass staged are added up first, each on a connection of its own; its finish
        // follows once they all are (`StreamOrderBuilder.takeDeferredLoads`).
        var loadsLeft: [Int: Int] = [:]
        var loads: [Job] = []
        for index in entries.indices {
            let stages = (entries[index].builder as? any StreamOrderLoads)?.takeDeferredLoads() ?? []
            loadsLeft[index] = stages.count
            loads += stages.map { Job.load(index, $0) }
        }
        try await withThrowingTaskGroup(of: (job: Job, refusal: ProjectionFailure?, tables: [String]).self) {
            group in
            var pending = loads + entries.indices.filter { loadsLeft[$0] == 0 }.map { Job.finish($0) }
            var running = 0
            while !pending.isEmpty || running > 0 {
                while running < width, !pending.isEmpty {
                    let job = pending.removeFirst()
                    running += 1
                    group.addTask {
                        switch job {
                        case .load(_, var stage):
                            try await pool.withTransaction { connection in
                                try await connection.execute(settings)
                                try await stage.load(on: connection)
                            }
                            return (job, nil, [])
                        case .finish(let index):
                            let entry = entries[index]
                            // Its tables, to vacuum next, or why it refused.
                            return try await pool.withTransaction { connection in
                                try await connection.execute(settings)
                                do {
                                    try await entry.builder.finish(on: connection)
                                } catch let failure as ProjectionFailure {
                                    return (job, failure, [])
                                }
                                try await entry.projection.createIndexes(in: entry.scratch, on: connection)
                                try await entry.projection.orderLoadedRows(
                                    in: entry.scratch, inOrder: entry.builder.tablesInPhysicalOrder, on: connection)
                                let tables = try await Self.tables(in: entry.scratch, on: connection)
                                return (job, nil, tables.filter { $0 != Self.crashMarker })
                            }
                        case .vacuum(let schema, let table):
                            try await pool.withConnection {
                                try await Self.vacuum(table, in: schema, settings: settings, on: $0)
                            }
                            return (job, nil, [])
                        }
                    }
                }
                guard let done = try await group.next() else { break }
                running -= 1
                if case .load(let index, _) = done.job {
                    loadsLeft[index, default: 1] -= 1
                    if loadsLeft[index] == 0 { pending.insert(.finish(index), at: 0) }
                }
                guard case .finish(let index) = done.job else { continue }
                if let refusal = done.refusal {
                    refusals[index] = refusal
                } else {
                    pending += done.tables.map { Job.vacuum(schema: entries[index].scratch, table: $0) }
                }
            }
        }
        guard !refusals.isEmpty else { return }
        failures += entries.indices.compactMap { refusals[$0] }
        building = entries.indices.filter { refusals[$0] == nil }.map { entries[$0] }
    }

    /// The tables of `schema`, by name.
    private static func tables(in schema: String, on connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = \(schema) ORDER BY tablename"
        ).map { try $0.decode(String.self) }
    }

    /// Hands a loaded scratch table back to autovacuum, vacuumed and analyzed (outside a transaction, as
    /// `VACUUM` must run).
    ///
    /// Autovacuum is off for a scratch table from its creation (`prepare`): it analyzed the tables again and
    /// again as they grew through the load (~8 % of the server's CPU in a rebuild of 1M events), and
    /// vacuumed them once they were swapped in, while the first queries ran on tables with no statistics and
    /// every row's hint bits still to set. A rebuild right after another then waited in its swap for the
    /// workers vacuuming the generation it drops (~2.3 s at 1M events). Vacuumed here, the tables are
    /// swapped in with statistics, hint bits and visibility map set, and autovacuum has nothing left to do on
    /// them until live writes change them.
    ///
    /// The statistics are gathered at `statisticsTarget`, not the server's default (100): every column still gets its
    /// null fraction, width, distinct count, most common values and histogram, from a sample of 9,000 rows rather than
    /// 30,000, with 30 histogram buckets rather than 100. At the default the analyze was ~10 % of the server's CPU in
    /// a rebuild of 1M events (~1.9 s: ~23,000 to ~105,000 rows a table, sorted column by column), most of it in the
    /// tail after the pass; at 30 a third of that. The read models are queried by key, by indexed dates and by
    /// ranges of days, which 30 buckets estimate well; autovacuum analyzes a table again at the default once live
    /// writes have changed a tenth of it. The analyze's transaction starts with the rebuild's `settings`: its
    /// commit does not wait for the disk (the swap's does, and a crash before it is refused, `crashMarker`).
    private static func vacuum(
        _ table: String, in schema: String, settings: SQL, on connection: PostgresConnection
    ) async throws {
        let name: SQL = "\(identifier: schema).\(identifier: table)"
        try await connection.execute("ALTER TABLE \(fragment: name) RESET (autovacuum_enabled)")
        try await connection.execute("VACUUM \(fragment: name)")
        try await connection.withTransaction { connection in
            try await connection.execute(settings)
            _ = try await connection.query(
                "SELECT set_config('default_statistics_target', \(String(statisticsTarget)), true)")
            try await connection.execute("ANALYZE \(fragment: name)")
        }
    }

    /// The statistics target of the rebuilt tables' first analyze (`vacuum`).
    static let statisticsTarget = 30

    /// An unlogged table in the first scratch schema, holding one row from the start of a rebuild to its
    /// swap. The transactions that fill the scratch schemas commit without waiting for their WAL to reach
    /// the disk (`eachConcurrently`): a server crash may lose the last of them, and the pool would carry
    /// on with new connections. Crash recovery empties every unlogged table, so the row still being there
    /// in the swap's transaction proves no crash happened meanwhile, and so nothing was lost.
    static let crashMarker = "stipple_rebuild_alive"

    /// Creates the crash marker, with its row, in `schema` (committed before the rebuild writes anything).
    static func createCrashMarker(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "CREATE UNLOGGED TABLE \(identifier: schema).\(identifier: crashMarker) (alive boolean)")
        try await connection.execute("INSERT INTO \(identifier: schema).\(identifier: crashMarker) VALUES (true)")
    }

    /// Throws unless the crash marker's row is still there, then drops the marker (it must not reach the
    /// live schema).
    static func expectNoCrash(marker schema: String, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            "SELECT count(*) FROM \(identifier: schema).\(identifier: crashMarker)")
        guard try rows.first?.decode(Int64.self) == 1 else { throw RunnerError.rebuildInterrupted }
        try await connection.execute("DROP TABLE \(identifier: schema).\(identifier: crashMarker)")
    }

    /// Runs `body` for every builder, concurrently (`eachConcurrently`); one that refuses an event
    /// leaves `building` for `failures`, in `building`'s order. (A refusal is thrown by Swift code,
    /// not by a failed statement, so its transaction commits; its scratch schema is dropped later.)
    private func eachRefusable(
        _ building: inout [Building], failures: inout [ProjectionFailure], settings: SQL,
        _ body: @escaping @Sendable (Building, PostgresConnection) async throws -> Void
    ) async throws {
        let refusals = try await eachConcurrently(building, settings: settings) {
            entry, connection -> ProjectionFailure? in
            do {
                try await body(entry, connection)
                return nil
            } catch let failure as ProjectionFailure {
                return failure
            }
        }
        guard refusals.contains(where: { $0 != nil }) else { return }
        var remaining: [Building] = []
        for (entry, refusal) in zip(building, refusals) {
            if let refusal { failures.append(refusal) } else { remaining.append(entry) }
        }
        building = remaining
    }

    /// The stream-ordered pass (`StreamPass`): the log up to `head` read once in stream order, each batch taken by
    /// every builder at its own pace, `width` builders at a time, each batch of each builder on a pooled connection
    /// in a transaction of its own. A builder that cannot go on in stream order (`StreamOrderConflict`) or refuses
    /// an event leaves `building`; those are returned, to be fed in log order.
    private func streamPass(_ building: inout [Building], head: Int64, label: String, settings: SQL) async throws
        -> [Building]
    {
        let entries = building
        let progress = self.progress
        let pass = StreamPass(builders: entries.count, window: 4) { applied, held in
            progress?(
                ProjectionRunner.Progress(
                    projection: label, position: min(Int64(applied), head), head: head, eventsApplied: applied,
                    statesHeld: held))
        }
        let pool = self.pool
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    // The server reads the next page while this one is decoded and handed over: the reads, one
                    // after another (each starts after the last page's last event), do not wait for decoding.
                    var page = try await fetchStreamPage(after: nil, upTo: head)
                    while let cursor = page.next {
                        async let following = fetchStreamPage(after: cursor, upTo: head)
                        guard try await pass.put(try await decode(page)) else { break }
                        page = try await following
                    }
                    await pass.finishReading()
                } catch {
                    await pass.fail(error)
                    throw error
                }
            }
            for _ in 0..<min(width, entries.count) {
                group.addTask {
                    do {
                        while let job = try await pass.job() {
                            let entry = entries[job.builder]
                            let stays = try await pool.withTransaction { connection -> Bool in
                                // (`transactionSettings`: commits not waiting for the disk, lz4 for large values.)
                                try await connection.execute(settings)
                                do {
                                    try await entry.builder.applyInStreamOrder(job.batch, on: connection)
                                    return true
                                } catch is StreamOrderConflict {
                                    return false
                                } catch is ProjectionFailure {
                                    return false
                                }
                            }
                            await pass.done(job, stays: stays, statesHeld: entry.builder.heldStateCount)
                        }
                    } catch {
                        await pass.fail(error)
                        throw error
                    }
                }
            }
            try await group.waitForAll()
        }
        let leavers = Set(await pass.leavers)
        building = entries.indices.filter { !leavers.contains($0) }.map { entries[$0] }
        return entries.indices.filter { leavers.contains($0) }.map { entries[$0] }
    }

    /// Feeds a batch to every builder; one that refuses an event leaves `building` for `failures`.
    /// (A refusal is thrown by Swift code, not by a failed statement, so the transaction goes on.)
    private static func feed(
        _ batch: ProjectionBatch, to building: inout [Building], failures: inout [ProjectionFailure],
        on connection: PostgresConnection
    ) async throws {
        var index = 0
        while index < building.count {
            do {
                try await building[index].builder.apply(batch, on: connection)
                index += 1
            } catch let failure as ProjectionFailure {
                failures.append(failure)
                building.remove(at: index)
            }
        }
    }

    /// The events in (after, upTo], up to one batch, decoded.
    private func readBatch(after position: Int64, upTo head: Int64) async throws -> ProjectionBatch {
        guard position < head else { return ProjectionBatch(items: []) }
        let page = try await store.readAll(after: Checkpoint(position: position), limit: batchSize, upTo: head)
        return ProjectionBatch(events: page.events, store: store)
    }

    /// The events at positions up to `head` after `cursor` in stream order, up to one batch, as read (`decode`
    /// makes the batch) with the cursor to read on from.
    private func fetchStreamPage(after cursor: StreamCursor?, upTo head: Int64) async throws -> StreamOrderRows {
        try await store.fetchInStreamOrder(after: cursor, limit: batchSize, upTo: head)
    }

    /// A page `fetchStreamPage` read as a batch: its events decoded and opened, then decoded for the projections.
    private func decode(_ page: StreamOrderRows) async throws -> ProjectionBatch {
        ProjectionBatch(events: try await store.events(of: page))
    }

    private func dropScratch(_ schemas: [String]) async {
        guard !schemas.isEmpty else { return }
        _ = try? await pool.withConnection { connection in
            for schema in schemas {
                try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            }
        }
    }

    /// Builds projections from the events up to `position` into `schema`, for an auditor (the
    /// runner has checked the name). The schema must be new or an earlier snapshot; it is recorded
    /// in `projection_snapshots`.
    func buildSnapshot(_ selected: [any Projection], upTo position: Int64, asOf: Date?, into schema: String)
        async throws
    {
        try await pool.withConnection { connection in
            let exists = try await connection.query(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = \(schema)")
            let isSnapshot = try await connection.query(
                "SELECT 1 FROM projection_snapshots WHERE schema_name = \(schema)")
            if !exists.isEmpty, isSnapshot.isEmpty { throw RunnerError.schemaExists(schema) }
            try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            try await connection.execute("DELETE FROM projection_snapshots WHERE schema_name = \(schema)")
            try await connection.execute("CREATE SCHEMA \(identifier: schema)")
            for projection in selected { try await projection.createTables(in: schema, on: connection) }
            // Registered before it is filled, so a half-built snapshot can be replaced by a retry.
            try await connection.execute(
                """
                INSERT INTO projection_snapshots (schema_name, projection, version, position, as_of)
                VALUES (\(schema), \(selected.map(\.name).joined(separator: ",")),
                        \(selected.map(\.version).max() ?? 0), \(position), \(asOf as Date?))
                """)
        }
        for projection in selected {
            _ = try await applyRange(projection, schema: schema, after: 0, upTo: position, on: nil)
        }
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                "UPDATE projection_snapshots SET complete = true WHERE schema_name = \(schema)")
        }
    }

    /// Applies the events in (after, upTo] to `schema`, batch by batch; each batch commits on its
    /// own unless a connection (already in a transaction) is given. Returns the last position.
    private func applyRange(
        _ projection: any Projection, schema: String, after: Int64, upTo: Int64?, on connection: PostgresConnection?
    ) async throws -> Int64 {
        let head = try await resolveHead(upTo)
        var position = after
        var applied = 0
        while position < head {
            let page = try await store.readAll(after: Checkpoint(position: position), limit: batchSize, upTo: head)
            guard let last = page.events.last?.position else { break }
            let batch = ProjectionBatch(events: page.events, store: store)
            if let connection {
                try await projection.apply(batch, in: schema, on: connection)
            } else {
                try await pool.withTransaction { try await projection.apply(batch, in: schema, on: $0) }
            }
            position = last
            applied += batch.items.count
            progress?(
                ProjectionRunner.Progress(
                    projection: projection.name, position: position, head: head, eventsApplied: applied))
        }
        return position
    }

    private func resolveHead(_ upTo: Int64?) async throws -> Int64 {
        if let upTo { return upTo }
        return try await store.headPosition()
    }
}
