import EventStore
import Foundation
import Postgres

/// Rebuilds a `FoldingProjection` into a fresh schema in log order, keeping fold states in memory.
///
/// A rebuild folds the log up to its head in stream order (`StreamOrderBuilder`); this builder takes what is
/// left in log order: the events appended during the rebuild, which the swap's transaction folds (after a
/// stream-ordered pass every state is in the state table or left to be folded from its stream: `statesStored`,
/// `FoldingProjection.loadStates`), and the whole log of a projection
/// that cannot be folded in stream order. The states a batch touches are kept in memory, up to `capacity` of
/// them; the least recently used beyond it are written to the state table and read back if their key returns.
/// Rows a projection derives from a key's final state (`FoldingProjection.finish`, e.g. the fade forecast)
/// are made once per key, at `finish`.
///
/// Rows go through a `RowSink` (`insert` rows with their batch; the others held back, merged by key, and written
/// when `deferredLimit` rows are held, before finish rows of the same table, and at the end) and `RowWriter`.
final class FoldingBuilder<P: FoldingProjection>: ProjectionBuilder {
    private struct Entry {
        var state: P.State
        /// Changed since the state table last got it.
        var isDirty: Bool
    }

    let projection: P
    let schema: String
    let capacity: Int

    private var entries: [String: Entry] = [:]
    /// The log position of the last event of the batch that last used each state in `entries`.
    private var lastUse: [String: Int64] = [:]
    /// Keys whose state has been written to the state table (and may have changed since).
    private var stored = Set<String>()
    /// True when every key folded before this builder took over has its state in the state table (or left to be folded
    /// again from its stream, `FoldingProjection.loadStates`).
    private let storedAll: Bool

    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()
    /// Rows of `upsert` and `accumulate` tables not written yet.
    private var sink: RowSink
    /// The store the batches came from (`ProjectionBatch.store`), to fold states the pass left again.
    private var store: EventStore?

    init(
        projection: P, schema: String, capacity: Int = FoldingBuilderDefaults.capacity,
        deferredLimit: Int = FoldingBuilderDefaults.deferredRows, statesStored: Bool = false
    ) {
        self.projection = projection
        self.schema = schema
        self.capacity = max(1, capacity)
        storedAll = statesStored
        sink = RowSink(tables: projection.tables, limit: deferredLimit)
    }

    var heldStateCount: Int { entries.count }

    func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        let (keys, keyed) = projection.keyedItems(batch)
        guard !keyed.isEmpty, let tick = batch.lastPosition else { return }
        // Each key's state by its place in `keys`, taken out of the cache while folded (put back below),
        // so its arrays are not copied on write.
        var slots = [P.State?](repeating: nil, count: keys.count)
        var missing: [String] = []
        for (slot, key) in keys.enumerated() {
            if let state = entries.removeValue(forKey: key)?.state {
                slots[slot] = state
            } else if storedAll || stored.contains(key) {
                missing.append(key)
            }
        }
        if let store = batch.store { self.store = store }
        if !missing.isEmpty {
            let loaded = try await load(missing, on: connection)
            for (slot, key) in keys.enumerated() where slots[slot] == nil {
                slots[slot] = loaded[key]
            }
        }
        var output = ProjectionOutput(tables: projection.tables)
        let lastEvents = try projection.foldBatch(
            batch, keyed, keys: keys, slots: &slots, into: &output, finishing: false)
        finishing.note(output, batch: batch, lastEvents: lastEvents)
        for (slot, key) in keys.enumerated() {
            if let state = slots[slot].take() {
                entries[key] = Entry(state: state, isDirty: true)
                lastUse[key] = tick
            } else {
                lastUse[key] = nil
            }
        }
        try await sink.take(output) { rows, table in try await self.writeRows(rows, to: table, on: connection) }
        if entries.count > capacity {
            // Write out the least recently used quarter; the others stay in memory.
            let keep = capacity * 3 / 4
            let oldest = lastUse.sorted { $0.value < $1.value }.prefix(entries.count - keep).map(\.key)
            var states: [(key: String, json: Data)] = []
            for key in oldest {
                lastUse[key] = nil
                guard let entry = entries.removeValue(forKey: key), entry.isDirty else { continue }
                states.append((key, try projection.encodeState(entry.state)))
            }
            try await save(states, on: connection)
        }
    }

    func finish(on connection: PostgresConnection) async throws {
        // Finish rows, once per key, from its final state (read back if it was written out).
        let due = finishing.take()
        for chunk in due.chunks(of: FoldingBuilderDefaults.chunk) {
            let written = chunk.map(\.key).filter {
                entries.index(forKey: $0) == nil && (storedAll || stored.contains($0))
            }
            let loaded = written.isEmpty ? [:] : try await load(written, on: connection)
            var output = ProjectionOutput(tables: projection.tables)
            for pending in chunk {
                guard let state = entries[pending.key]?.state ?? loaded[pending.key] else { continue }
                output.markPending(pending.key, at: pending.time)
                try projection.finishKey(state, key: pending.key, lastEvent: pending.event, into: &output)
            }
            for table in projection.tables where !output.keyedRows(for: table.name).isEmpty {
                // Rows held back for the table are older than these; finish rows go straight out (a
                // forecast row, or a row of another projection's, may be large: holding thousands costs memory).
                try await sink.flush(table) { rows, table in try await self.writeRows(rows, to: table, on: connection) }
                try await writeRows(output.keyedRows(for: table.name), to: table, on: connection)
            }
        }
        // Every changed state held as a value to the state table.
        let dirty = entries.compactMap { $0.value.isDirty ? $0.key : nil }.sorted()
        for keys in dirty.chunks(of: FoldingBuilderDefaults.chunk) {
            var states: [(key: String, json: Data)] = []
            states.reserveCapacity(keys.count)
            for key in keys {
                guard let entry = entries[key] else { continue }
                states.append((key, try projection.encodeState(entry.state)))
            }
            try await save(states, on: connection)
            for key in keys { entries[key]?.isDirty = false }
        }
        try await sink.flushAll { rows, table in try await self.writeRows(rows, to: table, on: connection) }
    }

    /// The stored states of `keys`, and those the stream-ordered pass left to be folded again from their streams
    /// (`FoldingProjection.stream(forKey:)`), folded from the store the batches came from.
    private func load(_ keys: [String], on connection: PostgresConnection) async throws -> [String: P.State] {
        let stored = try await projection.loadStates(keys, schema: schema, on: connection)
        guard let refold = stored.toRefold else { return stored.states }
        guard let store else { throw EngineError.noStoreToRefold(projection: projection.name) }
        var states = stored.states
        for (key, state) in try await projection.refoldedStates(refold.keys, upTo: refold.upTo, from: store) {
            states[key] = state
        }
        return states
    }

    /// Writes rows into the scratch table (`RowWriter`).
    private func writeRows(_ rows: KeyedRows, to table: TableSpec, on connection: PostgresConnection) async throws {
        try await RowWriter.write(rows, to: table, schema: schema, on: connection, fresh: true)
    }

    /// Writes encoded states to the state table (over what it holds).
    private func save(_ states: [(key: String, json: Data)], on connection: PostgresConnection) async throws {
        try await projection.saveEncodedStates(states, schema: schema, on: connection)
        if !storedAll {
            for state in states { stored.insert(state.key) }
        }
    }
}

/// The rebuild's limits.
public enum FoldingBuilderDefaults {
    /// Fold states a builder keeps in memory as values while it folds in log order (the events appended
    /// during a rebuild, or a projection folded again in log order, `FoldingBuilder`); beyond it the least
    /// recently used are written to the state table. A stream-ordered rebuild holds one state per builder.
    public static let capacity = 4_000
    /// Rows of `upsert` and `accumulate` tables held back per projection during a rebuild.
    public static let deferredRows = 5_000
    /// Keys per statement when a rebuild writes fold states or finish rows (when a forecast row carried its whole
    /// fade curve, until 2026-12-07, thousands of them in one statement made the peak memory of a rebuild).
    static let chunk = 500
}
