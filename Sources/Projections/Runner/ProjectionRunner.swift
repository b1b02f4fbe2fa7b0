import EventStore
import Foundation
import Tracing
import Postgres

/// Keeps read models up to date with the log, exactly once.
///
/// It reads the log in the store's never-skipping order, in batches; for each projection
/// it writes the batch's rows and the projection's checkpoint in one transaction, after
/// checking under a row lock that the checkpoint is where it expects. A crash at any
/// moment therefore leaves each read model at exactly "the log up to its checkpoint",
/// and a rebuild in another process that swapped a schema in is noticed, not doubled.
///
/// This file is the live runner (catch up, follow, poison events); the checkpoint table's SQL is
/// `ProjectionCheckpoints`, rebuilds and as-of snapshots are `ProjectionRebuilder`.
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
        /// Fold states held in memory by a rebuild after the batch (in stream order, at most one per projection).
        public var statesHeld = 0
    }

    public let store: EventStore
    public let projections: [any Projection]
    public let batchSize: Int
    private let progress: (@Sendable (Progress) -> Void)?

    /// Events per batch unless told otherwise: a live batch (it commits with its checkpoint) and a page of a
    /// rebuild. 5 000 since 2026-12-07 19:55 UTC; 10 000 (the store's largest page) from earlier that day, 2 000
    /// before: a rebuild of 1M events made 3 500 transactions of its builders in pages of 2 000, each with its
    /// round trips and per-batch work, and took 15.8–16.3 s against 14.5–14.6 s in pages of 10 000 (peak RSS
    /// 108 → 146–158 MiB at 1M). Once the stream-ordered pass read its next page while decoding this one, pages
    /// of 10 000 held more in memory (peak RSS ~210 MiB at 1M, 325 MiB at 10M): in pages of 5 000 the same
    /// rebuilds took the same time (1M: 12.2 / 12.6 s against 12.4 / 11.6 s) at 158 MiB, and 10M took 140.7 s at
    /// 254 MiB.
    public static let defaultBatchSize = 5_000

    public init(
        store: EventStore, projections: [any Projection], batchSize: Int = ProjectionRunner.defaultBatchSize,
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
        let stored = try await checkpoints.stored()
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
            try await ProjectionCheckpoints.register(projection, on: connection)
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
            // A span per batch (a no-op unless the process bootstrapped a tracer).
            let counts = try await withSpan("projections.batch") { span in
                span.attributes["stipple.projections.from"] = from
                span.attributes["stipple.projections.to"] = batch.lastPosition ?? from
                span.attributes["stipple.projections.events"] = page.events.count
                span.attributes["stipple.projections.projections"] = states.map(\.name).sorted()
                return try await withThrowingTaskGroup(of: Int.self) { group in
                    for state in states {
                        let projection = try projection(named: state.name)
                        let part = batch.after(state.position)
                        guard !part.isEmpty else { continue }
                        group.addTask { try await self.applyLive(projection, part, expecting: state.position) }
                    }
                    return try await group.reduce(0, +)
                }
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
        } catch let error where EventStoreError.isConnectionProblem(error) {
            throw error
        } catch {
            // Find the poison event: one event per transaction up to the one that fails.
            var current = position
            for item in batch.items {
                let single = ProjectionBatch(items: [item])
                do {
                    guard try await commit(projection, single, expecting: current) else { return 0 }
                    current = item.recorded.position
                } catch let error where EventStoreError.isConnectionProblem(error) {
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

    /// Returns false (and writes nothing) when the checkpoint moved under us (another runner or a rebuild). Fold
    /// states a rebuild left to be folded again (`FoldStatesToRefold`) are folded and stored between transactions,
    /// and the batch applied again (a rebuild swapped in meanwhile may leave others: at most three times).
    private func commit(_ projection: any Projection, _ batch: ProjectionBatch, expecting position: Int64) async throws
        -> Bool
    {
        var attempt = 1
        while true {
            do {
                return try await commitOnce(projection, batch, expecting: position)
            } catch let request as FoldStatesToRefold where attempt < 3 {
                attempt += 1
                try await projection.refold(request, in: projection.name, from: store)
            }
        }
    }

    private func commitOnce(_ projection: any Projection, _ batch: ProjectionBatch, expecting position: Int64)
        async throws -> Bool
    {
        guard let last = batch.lastPosition else { return true }
        return try await pool.withTransaction { connection in
            guard let checkpoint = try await ProjectionCheckpoints.lock(projection.name, on: connection),
                checkpoint.position == position, checkpoint.isRunning
            else { return false }
            try await projection.apply(batch, in: projection.name, on: connection)
            try await ProjectionCheckpoints.advance(projection.name, to: last, on: connection)
            return true
        }
    }

    private func markFailed(_ name: String, _ failure: ProjectionFailure) async throws {
        try await checkpoints.markFailed(name, failure)
    }

    private var checkpoints: ProjectionCheckpoints { ProjectionCheckpoints(pool: pool) }

    // MARK: - Rebuilds (ProjectionRebuilder)

    /// Rebuilds one projection into a fresh schema and swaps it in at the end; queries keep
    /// answering from the old schema meanwhile. Clears a failure. Throws the `ProjectionFailure`
    /// of an event the projection refuses, leaving the live schema as it was.
    public func rebuild(_ name: String) async throws {
        if let failure = try await rebuildAll([name]).first { throw failure }
    }

    /// Rebuilds several projections together, each into a fresh schema swapped in at the end, reading
    /// the log once (see `ProjectionRebuilder.rebuildAll`). Returns the failures of the projections
    /// that refused an event; the others are swapped in.
    @discardableResult
    public func rebuildAll(_ names: [String]) async throws -> [ProjectionFailure] {
        try await rebuilder.rebuildAll(try names.map { try projection(named: $0) })
    }

    /// Builds projections from the events up to `position` into `schema`, for an auditor.
    /// The schema must be new or an earlier snapshot; it is recorded in `projection_snapshots`.
    public func buildSnapshot(_ names: [String], upTo position: Int64, asOf: Date?, into schema: String) async throws {
        guard Self.isValidSchemaName(schema),
            !projections.contains(where: { $0.name == schema || $0.name + "__rebuild" == schema })
        else { throw RunnerError.invalidSchemaName(schema) }
        let selected = try names.map { try projection(named: $0) }
        try await rebuilder.buildSnapshot(selected, upTo: position, asOf: asOf, into: schema)
    }

    private var rebuilder: ProjectionRebuilder {
        ProjectionRebuilder(store: store, batchSize: batchSize, progress: progress)
    }

    // MARK: - Helpers

    private func resolveHead(_ upTo: Int64?) async throws -> Int64 {
        if let upTo { return upTo }
        return try await store.headPosition()
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
    /// The database crashed during a rebuild (its crash marker is gone): the rebuild's last writes may be
    /// lost, so nothing was swapped in.
    case rebuildInterrupted

    public var description: String {
        switch self {
        case .unknownProjection(let name, let known):
            "unknown projection '\(name)' (known: \(known.joined(separator: ", ")))"
        case .invalidSchemaName(let name):
            "'\(name)' cannot be a snapshot schema: use lower-case letters, digits and _, not a live projection's name"
        case .schemaExists(let name):
            "schema \(name) exists and is not a snapshot: choose another name"
        case .rebuildInterrupted:
            "the database restarted after a crash during the rebuild, which may have lost its last writes: "
                + "nothing was swapped in; run the rebuild again"
        }
    }
}
