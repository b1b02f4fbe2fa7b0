import EventStore
import Foundation
import Postgres

/// Rebuilds a `FoldingProjection` into a fresh schema, keeping fold states in memory.
///
/// Live following reloads every state a batch touches from `<name>_state` (JSON), folds, and
/// writes it back; during a rebuild the runner is the schema's only writer, so the states stay
/// here between batches and reach the table only when the cache outgrows `capacity` (the least
/// recently used are written and dropped, and read back if their key returns) and at `finish`.
/// Memory is bounded by `capacity` states per projection, whatever the size of the log.
/// Rows a projection derives from a key's final state (`FoldingProjection.finish`, e.g. the fade
/// forecast) are made once per key, when its state is written, not after every batch.
///
/// Rows go in with COPY (`CopyWriter`). Rows of `upsert` and `accumulate` tables are held back and
/// merged across batches as their `ON CONFLICT` clauses would merge them in the table (the latest
/// row wins; sums add), and written when `deferredLimit` rows are held, before `finish` rows of the
/// same table, and at the end: a key touched by many batches (a client with an event in most of
/// them) is written a few times per rebuild instead of once per batch. `insert` rows are written
/// with their batch.
final class FoldingBuilder<P: FoldingProjection>: ProjectionBuilder {
    private struct Entry {
        var state: P.State
        var isDirty: Bool
        var lastUsed: Int
    }

    let projection: P
    let schema: String
    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Keys whose state has been written to the state table (and may have been evicted since).
    private var stored = Set<String>()
    private var tick = 0
    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()
    /// The projection's tables by name.
    private let specs: [String: TableSpec]
    /// Rows of `upsert` and `accumulate` tables not written yet, by table: each key once.
    private var deferred: [String: DeferredRows] = [:]
    private var deferredCount = 0
    let deferredLimit: Int

    private struct DeferredRows {
        var slots: [String: Int] = [:]
        var rows: [Row] = []
    }

    init(
        projection: P, schema: String, capacity: Int = FoldingBuilderDefaults.capacity,
        deferredLimit: Int = FoldingBuilderDefaults.deferredRows
    ) {
        self.projection = projection
        self.schema = schema
        self.capacity = max(1, capacity)
        self.deferredLimit = max(0, deferredLimit)
        var specs: [String: TableSpec] = [:]
        for table in projection.tables { specs[table.name] = table }
        self.specs = specs
    }

    func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        let (keys, keyed) = projection.keyedItems(batch)
        guard !keyed.isEmpty else { return }
        tick += 1
        var states: [String: P.State] = [:]
        states.reserveCapacity(keys.count)
        var missing: [String] = []
        for key in keys {
            // Taken out of the cache while folded (put back below), so its arrays are not copied on write.
            if let entry = entries.removeValue(forKey: key) {
                states[key] = entry.state
            } else if stored.contains(key) {
                missing.append(key)
            }
        }
        if !missing.isEmpty {
            for (key, state) in try await projection.loadStates(missing, schema: schema, on: connection) {
                states[key] = state
            }
        }
        var output = ProjectionOutput(tables: projection.tables)
        let lastEvents = try projection.foldBatch(
            batch, keyed, keys: keys, states: &states, into: &output, finishing: false)
        finishing.note(output, lastEvents: lastEvents)
        for (key, state) in states {
            entries[key] = Entry(state: state, isDirty: true, lastUsed: tick)
        }
        try await write(output, on: connection)
        if entries.count > capacity {
            // Write back and drop the least recently used quarter; the others stay dirty in memory.
            let keep = capacity * 3 / 4
            let oldest = entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(entries.count - keep).map(\.key)
            try await flush(Set(oldest), on: connection)
            for key in oldest { entries[key] = nil }
        }
    }

    func finish(on connection: PostgresConnection) async throws {
        try await flush(nil, on: connection)
        for table in projection.tables { try await writeDeferred(table.name, on: connection) }
    }

    /// Writes a batch's `insert` rows and holds back the others (see the type's comment).
    private func write(_ output: ProjectionOutput, on connection: PostgresConnection) async throws {
        for table in projection.tables {
            let rows = output.rows(for: table.name)
            guard !rows.isEmpty else { continue }
            guard table.mode != .insert, deferredLimit > 0 else {
                try await CopyWriter.write(rows, to: table, schema: schema, on: connection)
                continue
            }
            // Taken out while merged into, so its arrays are not copied on write.
            var held = deferred.removeValue(forKey: table.name) ?? DeferredRows()
            let others = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }
            for row in rows {
                let key = ProjectionOutput.key(of: row, in: table)
                guard let slot = held.slots[key] else {
                    held.slots[key] = held.rows.count
                    held.rows.append(row)
                    deferredCount += 1
                    continue
                }
                if let merged = Self.mergeLater(held.rows[slot], row, mode: table.mode, others: others) {
                    held.rows[slot] = merged
                } else {
                    // Not mergeable in memory exactly as SQL would merge it: let the table do it.
                    deferredCount -= held.rows.count
                    try await CopyWriter.write(held.rows, to: table, schema: schema, on: connection)
                    held = DeferredRows(slots: [key: 0], rows: [row])
                    deferredCount += 1
                }
            }
            deferred[table.name] = held
        }
        if deferredCount > deferredLimit {
            for table in projection.tables { try await writeDeferred(table.name, on: connection) }
        }
    }

    /// Writes and forgets the held-back rows of `table`.
    private func writeDeferred(_ table: String, on connection: PostgresConnection) async throws {
        guard let held = deferred.removeValue(forKey: table), let spec = specs[table] else { return }
        deferredCount -= held.rows.count
        try await CopyWriter.write(held.rows, to: spec, schema: schema, on: connection)
    }

    /// `later` stored over `earlier` (same key) as the table's `ON CONFLICT` clause would store it
    /// (`BulkWriter.conflictClause`; `others` are the table's columns outside its key), or nil when
    /// that cannot be computed here exactly.
    static func mergeLater(_ earlier: Row, _ later: Row, mode: TableSpec.Mode, others: [String]) -> Row? {
        switch mode {
        case .insert:
            return earlier
        case .upsert:
            // DO NOTHING without other columns; else every other column from the later row.
            return others.isEmpty ? earlier : later
        case .accumulate(let sums):
            guard !others.isEmpty else { return earlier }
            var merged = later
            for column in sums where others.contains(column) {
                switch (earlier[column] ?? .null, later[column] ?? .null) {
                case (.int(let a), .int(let b)):
                    let (sum, overflow) = a.addingReportingOverflow(b)
                    guard !overflow else { return nil }
                    merged[column] = .int(sum)
                case (.null, _), (_, .null):
                    merged[column] = .null
                default:
                    // Floating or mixed sums: the column's own arithmetic decides.
                    return nil
                }
            }
            return merged
        }
    }

    /// Writes the due `finish` rows and the changed states of `keys` (nil: every key), a chunk at
    /// a time (a forecast row carries its whole fade curve: thousands of them in one statement
    /// made the peak memory of a rebuild).
    private func flush(_ keys: Set<String>?, on connection: PostgresConnection) async throws {
        let due = finishing.take(keys)
        var start = 0
        while start < due.count {
            var output = ProjectionOutput(tables: projection.tables)
            for pending in due[start..<min(start + Self.chunk, due.count)] {
                guard let entry = entries[pending.key] else { continue }
                output.markPending(pending.key, at: pending.time)
                try projection.finishKey(entry.state, key: pending.key, lastEvent: pending.event, into: &output)
            }
            for table in projection.tables where !output.rows(for: table.name).isEmpty {
                // Rows held back for the table are older than these.
                try await writeDeferred(table.name, on: connection)
            }
            try await projection.writeRows(output, schema: schema, on: connection, copy: true)
            start += Self.chunk
        }
        let dirty = entries.filter { $0.value.isDirty && (keys?.contains($0.key) ?? true) }.map(\.key).sorted()
        start = 0
        while start < dirty.count {
            var states: [String: P.State] = [:]
            for key in dirty[start..<min(start + Self.chunk, dirty.count)] {
                guard let entry = entries[key] else { continue }
                states[key] = entry.state
            }
            try await projection.saveStates(states, schema: schema, on: connection, copy: true)
            start += Self.chunk
        }
        for key in dirty {
            entries[key]?.isDirty = false
            stored.insert(key)
        }
    }

    /// Keys per statement when flushing.
    private static var chunk: Int { 500 }
}

/// The rebuild's state cache size per projection.
public enum FoldingBuilderDefaults {
    /// States kept in memory per projection during a rebuild.
    public static let capacity = 10_000
    /// Rows of `upsert` and `accumulate` tables held back per projection during a rebuild.
    public static let deferredRows = 5_000
}
