import EventStore
import Foundation
import Postgres

/// Keeps read models up to date with the log, exactly once.
///
/// It reads the log in the store's never-skipping order, in batches; for each projection
/// it writes the batch's rows and the projection's checkpoint in one transaction, after
/// checking under a row lock that the checkpoint is where it expects. A crash at any
/// moment therefore leaves each read model at exactly "the log up to its checkpoint",
/// and a rebuild in another process that swapped a schema in is noticed, not doubled.
public final class ProjectionRunner: Sendable {
    /// Where one projection stands.
    public struct State: Sendable, Hashable {
        public var name: String
        public var storedVersion: Int
        public var codeVersion: Int
        public var position: Int64
        public var isFailed: Bool
        public var error: String?
        public var failedPosition: Int64?
        public var updatedAt: Date?
    }

    /// A line of progress for long work.
    public struct Progress: Sendable {
        public var projection: String
        public var position: Int64
        public var head: Int64
        public var eventsApplied: Int
    }

    public let store: EventStore
    public let projections: [any Projection]
    public let batchSize: Int
    private let progress: (@Sendable (Progress) -> Void)?

    public init(
        store: EventStore, projections: [any Projection], batchSize: Int = 2000,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) {
        self.store = store
        self.projections = projections
        self.batchSize = max(1, batchSize)
        self.progress = progress
    }

    private var pool: ConnectionPool { store.pool }

    public func projection(named name: String) throws -> any Projection {
        guard let projection = projections.first(where: { $0.name == name }) else {
            throw RunnerError.unknownProjection(name, known: projections.map(\.name))
        }
        return projection
    }

    // MARK: - State

    /// Every projection's checkpoint, version and failure, in the order given to the runner.
    public func states() async throws -> [State] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT name, version, position, status, error, failed_position, updated_at FROM projection_checkpoints")
        }
        var stored: [String: State] = [:]
        for row in rows {
            let name = try row.decode(String.self, at: 0)
            stored[name] = State(
                name: name, storedVersion: try row.decode(at: 1), codeVersion: 0, position: try row.decode(at: 2),
                isFailed: try row.decode(String.self, at: 3) == "failed", error: try row.decode(at: 4),
                failedPosition: try row.decode(at: 5), updatedAt: try row.decode(at: 6))
        }
        return projections.map { projection in
            var state =
                stored[projection.name]
                ?? State(
                    name: projection.name, storedVersion: 0, codeVersion: 0, position: 0, isFailed: false, error: nil,
                    failedPosition: nil, updatedAt: nil)
            state.codeVersion = projection.version
            return state
        }
    }

    /// Creates what is missing and rebuilds every projection whose code version changed
    /// (unless it is stopped on a poison event). Returns the names it rebuilt.
    @discardableResult
    public func prepare() async throws -> [String] {
        var changed: [String] = []
        for state in try await states() where state.storedVersion != state.codeVersion {
            let projection = try projection(named: state.name)
            if state.updatedAt == nil {
                try await create(projection)
                continue
            }
            guard !state.isFailed else { continue }
            changed.append(state.name)
        }
        guard !changed.isEmpty else { return [] }
        let failures = try await rebuildAll(changed)
        for failure in failures { try await markFailed(failure.projection, failure) }
        return changed.filter { name in !failures.contains { $0.projection == name } }
    }

    /// A projection seen for the first time: empty tables at position 0, filled by `catchUp`.
    private func create(_ projection: any Projection) async throws {
        try await pool.withTransaction { connection in
            try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: projection.name) CASCADE")
            try await connection.execute("CREATE SCHEMA \(identifier: projection.name)")
            try await projection.createTables(in: projection.name, on: connection)
            try await connection.execute(
                """
                INSERT INTO projection_checkpoints (name, version, position) VALUES (\(projection.name), \(projection.version), 0)
                ON CONFLICT (name) DO NOTHING
                """)
        }
    }

    // MARK: - Catching up and following

    /// Applies every event up to the head (or `upTo`) to every projection that is not failed.
    /// Returns how many (projection, event) applications it made.
    @discardableResult
    public func catchUp(upTo: Int64? = nil) async throws -> Int {
        try await prepare()
        let head = try await resolveHead(upTo)
        var applied = 0
        while true {
            let states = try await states().filter { !$0.isFailed && $0.position < head }
            guard let from = states.map(\.position).min() else { return applied }
            let page = try await store.readAll(after: Checkpoint(position: from), limit: batchSize, upTo: head)
            guard !page.events.isEmpty else { return applied }
            let batch = ProjectionBatch(events: page.events)
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for state in states {
                    let projection = try projection(named: state.name)
                    let part = batch.after(state.position)
                    guard !part.isEmpty else { continue }
                    group.addTask { try await self.applyLive(projection, part, expecting: state.position) }
                }
                return try await group.reduce(0, +)
            }
            applied += counts
            if let last = batch.lastPosition {
                progress?(Progress(projection: "all", position: last, head: head, eventsApplied: applied))
            }
        }
    }

    /// Catches up, then follows new events as they are appended (woken by NOTIFY) until cancelled.
    public func follow(idleTimeout: Duration = .seconds(5)) async throws {
        var tail = LogTail(store: store, idlePoll: idleTimeout)
        do {
            while true {
                // Catching up reads to the head itself: then always wait for the next append.
                _ = try await tail.poll { () async throws -> Bool? in
                    try await catchUp()
                    return nil
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// Writes one batch and the checkpoint together; on a failure finds the exact event,
    /// applies everything before it, and stops this projection with a clear message.
    private func applyLive(_ projection: any Projection, _ batch: ProjectionBatch, expecting position: Int64)
        async throws -> Int
    {
        do {
            return try await commit(projection, batch, expecting: position) ? batch.items.count : 0
        } catch let error where Self.isTransient(error) {
            throw error
        } catch {
            // Find the poison event: one event per transaction up to the one that fails.
            var current = position
            for item in batch.items {
                let single = ProjectionBatch(items: [item])
                do {
                    guard try await commit(projection, single, expecting: current) else { return 0 }
                    current = item.recorded.position
                } catch let error where Self.isTransient(error) {
                    throw error
                } catch {
                    let failure =
                        error as? ProjectionFailure
                        ?? ProjectionFailure(
                            projection: projection.name, event: item.recorded, reason: String(describing: error))
                    try await markFailed(projection.name, failure)
                    return 0
                }
            }
            return batch.items.count
        }
    }

    /// Returns false (and writes nothing) when the checkpoint moved under us (another runner or a rebuild).
    private func commit(_ projection: any Projection, _ batch: ProjectionBatch, expecting position: Int64) async throws
        -> Bool
    {
        guard let last = batch.lastPosition else { return true }
        return try await pool.withTransaction { connection in
            let row = try await connection.query(
                "SELECT position, status FROM projection_checkpoints WHERE name = \(projection.name) FOR UPDATE")
            guard let row = row.first, try row.decode(Int64.self, at: 0) == position,
                try row.decode(String.self, at: 1) == "running"
            else { return false }
            try await projection.apply(batch, in: projection.name, on: connection)
            try await connection.execute(
                """
                UPDATE projection_checkpoints SET position = \(last), updated_at = now()
                WHERE name = \(projection.name)
                """)
            return true
        }
    }

    private func markFailed(_ name: String, _ failure: ProjectionFailure) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE projection_checkpoints
                SET status = 'failed', error = \(failure.description), failed_position = \(failure.position),
                    updated_at = now()
                WHERE name = \(name)
                """)
        }
    }

    // MARK: - Rebuilds

    /// Rebuilds one projection into a fresh schema and swaps it in at the end; queries keep
    /// answering from the old schema meanwhile. Clears a failure. Throws the `ProjectionFailure`
    /// of an event the projection refuses, leaving the live schema as it was.
    public func rebuild(_ name: String) async throws {
        if let failure = try await rebuildAll([name]).first { throw failure }
    }

    /// Rebuilds several projections together, each into a fresh schema swapped in at the end.
    ///
    /// The log is read once: each batch is read and decoded once (the next one while the current
    /// one is written) and fed to every projection's `ProjectionBuilder`, which may keep its fold
    /// states in memory, since the rebuild is the only writer of its scratch schema. The swaps
    /// happen in one transaction, after the events appended meanwhile. A projection that refuses
    /// an event drops out (its scratch schema is dropped, its live schema and checkpoint stay as
    /// they were) and its `ProjectionFailure` is returned; the others go on.
    @discardableResult
    public func rebuildAll(_ names: [String]) async throws -> [ProjectionFailure] {
        var selected: [any Projection] = []
        for name in names where !selected.contains(where: { $0.name == name }) {
            selected.append(try projection(named: name))
        }
        guard !selected.isEmpty else { return [] }
        let label = selected.count == 1 ? selected[0].name : "all"
        var building: [Building] = []
        var failures: [ProjectionFailure] = []
        do {
            try await pool.withConnection { connection in
                for projection in selected {
                    let scratch = projection.name + "__rebuild"
                    try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: scratch) CASCADE")
                    try await connection.execute("CREATE SCHEMA \(identifier: scratch)")
                    try await projection.createTables(in: scratch, on: connection)
                    let builder = try await projection.makeBuilder(in: scratch, on: connection)
                    building.append(Building(projection: projection, scratch: scratch, builder: builder))
                }
            }
            let head = try await resolveHead(nil)
            var position: Int64 = 0
            var applied = 0
            var next = try await readBatch(after: 0, upTo: head)
            while let last = next.lastPosition {
                let batch = next
                async let following = readBatch(after: last, upTo: head)
                try await pool.withTransaction { connection in
                    try await Self.feed(batch, to: &building, failures: &failures, on: connection)
                }
                position = last
                applied += batch.items.count
                progress?(Progress(projection: label, position: position, head: head, eventsApplied: applied))
                next = try await following
            }
            try await pool.withTransaction { connection in
                for entry in building {
                    let name = entry.projection.name
                    try await connection.execute(
                        """
                        INSERT INTO projection_checkpoints (name, version, position)
                        VALUES (\(name), \(entry.projection.version), 0)
                        ON CONFLICT (name) DO NOTHING
                        """)
                    // Hold the checkpoint row: a live runner's next batch waits here, then sees the new position.
                    try await connection.query("SELECT 1 FROM projection_checkpoints WHERE name = \(name) FOR UPDATE")
                }
                // The events appended since the rebuild read the head.
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
                    try await connection.execute("ALTER SCHEMA \(identifier: entry.scratch) RENAME TO \(identifier: name)")
                    try await connection.execute(
                        """
                        UPDATE projection_checkpoints
                        SET position = \(position), version = \(entry.projection.version), status = 'running',
                            error = NULL, failed_position = NULL, updated_at = now()
                        WHERE name = \(name)
                        """)
                }
            }
        } catch {
            await dropScratch(building.map(\.scratch) + failures.map { $0.projection + "__rebuild" })
            throw error
        }
        await dropScratch(failures.map { $0.projection + "__rebuild" })
        return failures
    }

    /// A projection being rebuilt.
    private struct Building {
        var projection: any Projection
        var scratch: String
        var builder: any ProjectionBuilder
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
        return ProjectionBatch(events: page.events)
    }

    private func dropScratch(_ schemas: [String]) async {
        guard !schemas.isEmpty else { return }
        _ = try? await pool.withConnection { connection in
            for schema in schemas { try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE") }
        }
    }

    /// Builds projections from the events up to `position` into `schema`, for an auditor.
    /// The schema must be new or an earlier snapshot; it is recorded in `projection_snapshots`.
    public func buildSnapshot(_ names: [String], upTo position: Int64, asOf: Date?, into schema: String) async throws {
        guard Self.isValidSchemaName(schema), !projections.contains(where: { $0.name == schema || $0.name + "__rebuild" == schema })
        else { throw RunnerError.invalidSchemaName(schema) }
        let selected = try names.map { try projection(named: $0) }
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
            try await connection.execute("UPDATE projection_snapshots SET complete = true WHERE schema_name = \(schema)")
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
            let batch = ProjectionBatch(events: page.events)
            if let connection {
                try await projection.apply(batch, in: schema, on: connection)
            } else {
                try await pool.withTransaction { try await projection.apply(batch, in: schema, on: $0) }
            }
            position = last
            applied += batch.items.count
            progress?(Progress(projection: projection.name, position: position, head: head, eventsApplied: applied))
        }
        return position
    }

    // MARK: - Helpers

    private func resolveHead(_ upTo: Int64?) async throws -> Int64 {
        if let upTo { return upTo }
        return try await store.headPosition()
    }

    static func isTransient(_ error: any Error) -> Bool {
        EventStoreError.isConnectionProblem(error)
    }

    static func isValidSchemaName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, (97...122).contains(first) || first == 95
        else { return false }
        let reserved = ["public", "information_schema"]
        return !reserved.contains(name) && !name.hasPrefix("pg_")
            && bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }
}

/// Why the runner refused.
public enum RunnerError: Error, Sendable, CustomStringConvertible {
    case unknownProjection(String, known: [String])
    case invalidSchemaName(String)
    case schemaExists(String)

    public var description: String {
        switch self {
        case .unknownProjection(let name, let known):
            "unknown projection '\(name)' (known: \(known.joined(separator: ", ")))"
        case .invalidSchemaName(let name):
            "'\(name)' cannot be a snapshot schema: use lower-case letters, digits and _, not a live projection's name"
        case .schemaExists(let name):
            "schema \(name) exists and is not a snapshot: choose another name"
        }
    }
}
