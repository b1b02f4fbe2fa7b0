import EventStore
import Foundation
import Postgres

/// Rebuilds a `FoldingProjection` into a fresh schema, keeping fold states in memory.
///
/// Live following reloads every state a batch touches from `<name>_state` (JSON), folds, and
/// writes it back; during a rebuild the runner is the schema's only writer, so the states stay
/// here between batches, in two tiers: as values, up to `capacity` of them (the least recently used
/// beyond it are evicted), and evicted ones as the JSON the state table would hold (`EncodedStates`),
/// up to `encodedCapacity` bytes; beyond that the largest encoded states are written to the table, and
/// read back if their key returns. Every state reaches the table at `finish`.
/// `ProjectionRebuilder.rebuildAll` also evicts through `evictStates(usedBefore:)` and
/// `writeEncodedStates(fromClass:on:)` to keep the states of all the projections it rebuilds within one
/// budget of each kind (`FoldingBuilderDefaults`), whatever the size of the log and however many
/// projections there are.
///
/// An encoded state costs its encoding and decoding, as a written one did, but no COPY row, upsert,
/// query or PostgreSQL JSON parsing; at 1M events (23 677 clients, ~165 000 states of 7 projections)
/// nearly every event's state had been evicted since the client's last event, and until 2026-12-06
/// every evicted state went to the table: the rebuild's cost per event was 1.5× that at 100k events,
/// whose ~20 000 states all stay in memory.
///
/// Rows a projection derives from a key's final state (`FoldingProjection.finish`, e.g. the fade
/// forecast) are made once per key, at `finish`, whether or not the key's state was evicted
/// meanwhile (an evicted one is read back then): evicting a key costs a state write, never a
/// prediction. (Until 2026-12-06 an eviction also finished the key, so once a log had more keys
/// than `capacity`, nearly every event of a key cost a prediction: the rebuild's per-event cost grew
/// with the log.)
///
/// Rows of `upsert` and `accumulate` tables are held back and merged across batches with the
/// table's `MergePolicy` (the latest row wins; sums add), and written through `RowWriter` when
/// `deferredLimit` rows are held, before finish rows of the same table, and at the end: a key
/// touched by many batches is written a few times per rebuild instead of once per batch. `insert`
/// rows are written with their batch.
final class FoldingBuilder<P: FoldingProjection>: ProjectionBuilder {
    private struct Entry {
        var state: P.State
        /// Changed since the state table last got it.
        var isDirty: Bool
    }

    let projection: P
    let schema: String
    let capacity: Int
    let encodedCapacity: Int
    private var entries: [String: Entry] = [:]
    /// The log position of the last event of the batch that last used each state in `entries`. (Apart, so
    /// that choosing what to evict reads positions only: this class is generic, and reading an `Entry`
    /// out of `entries` copied its state through value witnesses, retaining everything in it.)
    private var lastUse: [String: Int64] = [:]
    /// States evicted from `entries` that changed since the state table last got them, encoded.
    private var encoded = EncodedStates()
    /// Keys whose state has been written to the state table (and may have changed since).
    private var stored = Set<String>()
    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()
    /// The projection's tables, and each one's merge policy, by name.
    private let specs: [String: TableSpec]
    private let policies: [String: MergePolicy]
    /// Rows of `upsert` and `accumulate` tables not written yet, by table.
    private var deferred: [String: KeyedRows] = [:]
    private var deferredCount = 0
    let deferredLimit: Int

    init(
        projection: P, schema: String, capacity: Int = FoldingBuilderDefaults.capacity,
        encodedCapacity: Int = FoldingBuilderDefaults.encodedBytes,
        deferredLimit: Int = FoldingBuilderDefaults.deferredRows
    ) {
        self.projection = projection
        self.schema = schema
        self.capacity = max(1, capacity)
        self.encodedCapacity = max(0, encodedCapacity)
        self.deferredLimit = max(0, deferredLimit)
        var specs: [String: TableSpec] = [:]
        var policies: [String: MergePolicy] = [:]
        for table in projection.tables {
            specs[table.name] = table
            policies[table.name] = MergePolicy(table)
        }
        self.specs = specs
        self.policies = policies
    }

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
            } else if let json = encoded.remove(key) {
                slots[slot] = try projection.decodeState(json)
            } else if stored.contains(key) {
                missing.append(key)
            }
        }
        if !missing.isEmpty {
            let loaded = try await projection.loadStates(missing, schema: schema, on: connection)
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
        try await write(output, on: connection)
        if entries.count > capacity {
            // Evict the least recently used quarter; the others stay in memory.
            let keep = capacity * 3 / 4
            let oldest = lastUse.sorted { $0.value < $1.value }.prefix(entries.count - keep).map(\.key)
            try evict(oldest)
        }
        if let first = EncodedStates.firstClassToWrite(encoded.bytesByClass, within: encodedCapacity) {
            try await writeEncodedStates(fromClass: first, on: connection)
        }
    }

    var heldStateCount: Int { entries.count }

    func countHeldStates(byLastUse counts: inout [Int64: Int]) {
        for position in lastUse.values { counts[position, default: 0] += 1 }
    }

    func evictStates(usedBefore position: Int64) throws {
        try evict(lastUse.compactMap { $0.value < position ? $0.key : nil })
    }

    func countEncodedBytes(byClass counts: inout [Int]) {
        for (sizeClass, bytes) in encoded.bytesByClass.enumerated() { counts[sizeClass] += bytes }
    }

    func holdsEncodedStates(fromClass first: Int) -> Bool { encoded.holds(fromClass: first) }

    func writeEncodedStates(fromClass first: Int, on connection: PostgresConnection) async throws {
        try await save(encoded.removeAll(fromClass: first), on: connection)
    }

    /// Drops the states of `keys` from memory as values: a changed one is kept encoded, an unchanged
    /// one is in the state table already.
    private func evict(_ keys: [String]) throws {
        for key in keys {
            lastUse[key] = nil
            guard let entry = entries.removeValue(forKey: key), entry.isDirty else { continue }
            encoded.insert(try projection.encodeState(entry.state), for: key)
        }
    }

    func finish(on connection: PostgresConnection) async throws {
        // Finish rows, once per key, from its final state (read back if it was evicted).
        let due = finishing.take()
        var start = 0
        while start < due.count {
            let chunk = due[start..<min(start + Self.chunk, due.count)]
            let evicted = chunk.map(\.key).filter {
                entries.index(forKey: $0) == nil && encoded.state(of: $0) == nil && stored.contains($0)
            }
            let loaded =
                evicted.isEmpty ? [:] : try await projection.loadStates(evicted, schema: schema, on: connection)
            var output = ProjectionOutput(tables: projection.tables)
            for pending in chunk {
                let held = try entries[pending.key]?.state ?? encoded.state(of: pending.key).map(projection.decodeState)
                guard let state = held ?? loaded[pending.key] else { continue }
                output.markPending(pending.key, at: pending.time)
                try projection.finishKey(state, key: pending.key, lastEvent: pending.event, into: &output)
            }
            for table in projection.tables where !output.keyedRows(for: table.name).isEmpty {
                // Rows held back for the table are older than these; finish rows go straight out (a
                // forecast row carries its whole fade curve: holding thousands of them costs memory).
                try await writeDeferred(table.name, on: connection)
                try await RowWriter.write(
                    output.keyedRows(for: table.name), to: table, schema: schema, on: connection, fresh: true)
            }
            start += Self.chunk
        }
        // Every changed state to the state table: the encoded ones, then the changed ones held as values.
        try await save(encoded.removeAll(), on: connection)
        let dirty = entries.compactMap { $0.value.isDirty ? $0.key : nil }.sorted()
        start = 0
        while start < dirty.count {
            let keys = dirty[start..<min(start + Self.chunk, dirty.count)]
            var states: [(key: String, json: Data)] = []
            states.reserveCapacity(keys.count)
            for key in keys {
                guard let entry = entries[key] else { continue }
                states.append((key, try projection.encodeState(entry.state)))
            }
            try await save(states, on: connection)
            for key in keys { entries[key]?.isDirty = false }
            start += Self.chunk
        }
        for table in projection.tables { try await writeDeferred(table.name, on: connection) }
    }

    /// Writes a batch's `insert` rows and holds back the others, merged by key.
    private func write(_ output: ProjectionOutput, on connection: PostgresConnection) async throws {
        for table in projection.tables {
            let rows = output.keyedRows(for: table.name)
            guard !rows.isEmpty else { continue }
            guard table.mode != .insert, deferredLimit > 0, let policy = policies[table.name] else {
                try await RowWriter.write(rows, to: table, schema: schema, on: connection, fresh: true)
                continue
            }
            // Taken out while merged into, so its arrays are not copied on write.
            var held = deferred.removeValue(forKey: table.name) ?? KeyedRows()
            deferredCount -= held.count
            for run in rows.runs {
                for row in run { held.add(row, policy: policy) }
            }
            deferredCount += held.count
            deferred[table.name] = held
        }
        if deferredCount > deferredLimit {
            for table in projection.tables { try await writeDeferred(table.name, on: connection) }
        }
    }

    /// Writes and forgets the held-back rows of `table`.
    private func writeDeferred(_ table: String, on connection: PostgresConnection) async throws {
        guard let held = deferred.removeValue(forKey: table), let spec = specs[table] else { return }
        deferredCount -= held.count
        try await RowWriter.write(held, to: spec, schema: schema, on: connection, fresh: true)
    }

    /// Writes encoded states to the state table, a chunk at a time, in key order.
    private func save(_ states: [(key: String, json: Data)], on connection: PostgresConnection) async throws {
        let sorted = states.sorted { $0.key < $1.key }
        var start = 0
        while start < sorted.count {
            let chunk = Array(sorted[start..<min(start + Self.chunk, sorted.count)])
            try await projection.saveEncodedStates(chunk, schema: schema, on: connection)
            start += Self.chunk
        }
        for state in sorted { stored.insert(state.key) }
    }

    /// Keys per statement when writing states or finish rows (a forecast row carries its whole fade
    /// curve: thousands of them in one statement made the peak memory of a rebuild).
    private static var chunk: Int { 500 }
}

/// The rebuild's state budgets.
public enum FoldingBuilderDefaults {
    /// Fold states kept in memory as values during a rebuild, in total over all the projections rebuilt
    /// together (`ProjectionRebuilder.rebuildAll` evicts the least recently used across all of them):
    /// `STIPPLE_REBUILD_STATES` if set to a positive number, else 24 000. More states cost memory
    /// (~2.3 kB each, measured at 1M events) and save an encoding and a decoding per event of a key that
    /// was evicted; a log with fewer keys than this never evicts (100k events of the benchmark have
    /// ~20 300 keys), and then the rebuild's cost per event is flat (docs/benchmarks.md). Until
    /// 2026-12-06 this was 25 000 per projection (the 1M-event rebuild peaked at 423 MiB), then 50 000 in
    /// total (281 MiB), then 30 000 (197 MiB) with every evicted state written to the state table.
    public static let capacity =
        ProcessInfo.processInfo.environment["STIPPLE_REBUILD_STATES"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        ?? 24_000
    /// Bytes of evicted states kept encoded during a rebuild (`EncodedStates.cost`), in total over all
    /// the projections rebuilt together (`ProjectionRebuilder.rebuildAll` writes the largest to the state
    /// tables beyond it): `STIPPLE_REBUILD_ENCODED_MB` (MiB) if set to a number, else 48 MiB. Measured at
    /// 1M events (~165 000 states, ~107 MB of JSON; 2026-12-06, loaded machine, one run each): with 24 000
    /// states, 48 MiB peaked at 233 MiB for PostgreSQL CPU 32 → 23 s and client CPU 41 → 39 s; 64 MiB with
    /// 30 000 states peaked at 262 MiB, 96 MiB with 10 000 at 265 MiB (the process takes ~1.4 bytes per
    /// byte counted).
    public static let encodedBytes =
        (ProcessInfo.processInfo.environment["STIPPLE_REBUILD_ENCODED_MB"].flatMap(Int.init).map { max(0, $0) } ?? 48)
        * 1024 * 1024
    /// Rows of `upsert` and `accumulate` tables held back per projection during a rebuild.
    public static let deferredRows = 5_000
}
