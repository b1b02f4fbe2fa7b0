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
    /// Keys whose `finish` rows are due, with the time `fold` noted and the key's latest event.
    private var finishing: [String: (time: Date, event: RecordedEvent)] = [:]

    init(projection: P, schema: String, capacity: Int = FoldingBuilderDefaults.capacity) {
        self.projection = projection
        self.schema = schema
        self.capacity = max(1, capacity)
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
        for (key, time) in output.pendingTimes {
            if let event = lastEvents[key] { finishing[key] = (time, event) }
        }
        for (key, state) in states {
            entries[key] = Entry(state: state, isDirty: true, lastUsed: tick)
        }
        try await projection.writeRows(output, schema: schema, on: connection)
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
    }

    /// Writes the due `finish` rows and the changed states of `keys` (nil: every key), a chunk at
    /// a time (a forecast row carries its whole fade curve: thousands of them in one statement
    /// made the peak memory of a rebuild).
    private func flush(_ keys: Set<String>?, on connection: PostgresConnection) async throws {
        let due = finishing.filter { keys?.contains($0.key) ?? true }
            .sorted { $0.value.event.position < $1.value.event.position }
        for (key, _) in due { finishing[key] = nil }
        var start = 0
        while start < due.count {
            var output = ProjectionOutput(tables: projection.tables)
            for (key, pending) in due[start..<min(start + Self.chunk, due.count)] {
                guard let entry = entries[key] else { continue }
                output.markPending(key, at: pending.time)
                try projection.finishKey(entry.state, key: key, lastEvent: pending.event, into: &output)
            }
            try await projection.writeRows(output, schema: schema, on: connection)
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
            try await projection.saveStates(states, schema: schema, on: connection)
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
}
