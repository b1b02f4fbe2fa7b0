import EventStore
import Foundation
import Postgres

/// Rebuilds a `FoldingProjection` into a fresh schema, keeping fold states in memory.
///
/// A rebuild reads the log up to the head it started from in stream order (`applyInStreamOrder`): every
/// fold-state key is a function of its event's stream (`FoldingProjection.stateKey(for:)`), so a key's
/// events come one after another, and once its stream's last event is folded its state is final: the
/// builder then makes its `finish` rows, writes the state to the state table once (a COPY with the others)
/// and forgets it. It holds one state across batches (that of the stream a batch ends with, which may go
/// on in the next one): no state is evicted, read back, decoded or encoded twice, and the cost per event
/// does not grow with the log. (Until 2026-12-06 the rebuild read in log order and kept the states it
/// could in memory, the least recently used evicted, encoded, and spilled to the state table beyond a
/// budget: at 1M events nearly every event of a client decoded and re-encoded its states, and the cost
/// per event was 1.4× that at 100k.)
///
/// In stream order a table's rows end as in log order when each row key is written from one stream only;
/// the builder checks that for every table outside `FoldingProjection.tablesKeyedByStream` (`accumulate`
/// tables of sums only excepted, whose rows add in any order): a row key written from two streams, or a
/// state key met again after its stream ended, throws `StreamOrderConflict`, and the rebuild folds that
/// projection again in log order. So does a refused event, so that the failure names the first refused
/// event in log order, as following would.
///
/// In log order (`apply`: such a second pass, and the events appended during the rebuild, which the
/// swap's transaction folds) the states a batch touches are kept in memory, up to `capacity` of them; the
/// least recently used beyond it are written to the state table and read back if their key returns.
/// Rows a projection derives from a key's final state (`FoldingProjection.finish`, e.g. the fade forecast)
/// are made once per key, at `finish` (in stream order: when its stream ends).
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

    // Log order.
    private var entries: [String: Entry] = [:]
    /// The log position of the last event of the batch that last used each state in `entries`.
    private var lastUse: [String: Int64] = [:]
    /// Keys whose state has been written to the state table (and may have changed since).
    private var stored = Set<String>()
    /// True once a stream-ordered pass has written every state it folded to the state table.
    private var storedAll = false

    // Stream order.
    /// The state of the stream the last batch ended with, which the next batch may go on with.
    private var carried: (key: String, state: P.State)?
    /// The rows the carried stream wrote so far: written once its stream ends, so that all of a key's rows
    /// reach the tables in one go (merged by key: its row of an `upsert` table once), and a row COPYs straight
    /// into its table (`RowWriter`'s `keysNew`) without meeting a row of the same key written before.
    private var carriedRows: ProjectionOutput?
    /// True from the first stream-ordered batch until `finish`.
    private var inStreamOrder = false
    /// Hashes of the keys whose stream has ended (met again: `StreamOrderConflict`).
    private var ended = Set<Int>()
    /// The key (hashed) that wrote each row key (hashed with its table) of the checked tables.
    private var rowOwners: [Int: Int] = [:]
    /// The tables whose row keys are checked (`ProjectionOutput.init(tables:noting:)`).
    private let checked: Set<String>
    /// Final states not yet written to the state table.
    private var unsaved: [(key: String, json: Data)] = []
    /// `finish` rows of ended streams not yet written, by table, and how many (written every `chunk` rows: a
    /// forecast row carries its whole fade curve, ~12 kB as text at 1M events; held back with the other rows,
    /// 5 000 of them took ~100 MiB).
    private var finishRows: [String: KeyedRows] = [:]
    private var finishRowCount = 0

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
        deferredLimit: Int = FoldingBuilderDefaults.deferredRows
    ) {
        self.projection = projection
        self.schema = schema
        self.capacity = max(1, capacity)
        self.deferredLimit = max(0, deferredLimit)
        var specs: [String: TableSpec] = [:]
        var policies: [String: MergePolicy] = [:]
        for table in projection.tables {
            specs[table.name] = table
            policies[table.name] = MergePolicy(table)
        }
        self.specs = specs
        self.policies = policies
        let keyedByStream = projection.tablesKeyedByStream
        checked = Set(
            projection.tables.filter { !keyedByStream.contains($0.name) && !MergePolicy($0).isOrderFree }.map(\.name))
    }

    var takesStreamOrder: Bool { true }

    var heldStateCount: Int { entries.count + (carried == nil ? 0 : 1) }

    func applyInStreamOrder(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        inStreamOrder = true
        // (An empty batch ends the log: the carried stream has ended.)
        let (keys, keyed) = projection.keyedItems(batch)
        // The stream the batch ends with may go on in the next batch: its state and rows are carried over.
        let continuing = batch.items.last.flatMap { projection.stateKey(for: $0.recorded.stream) }
        var output = ProjectionOutput(tables: projection.tables, noting: checked)
        var finished = ProjectionOutput(tables: projection.tables, noting: checked)
        var slots = [P.State?](repeating: nil, count: keys.count)
        // The rows of the stream going on from the batch before, and of the one going on into the next.
        var goingOn: (key: String, rows: ProjectionOutput)?
        var endedRows: ProjectionOutput?
        if let held = carried.take() {
            let rows = carriedRows.take() ?? ProjectionOutput(tables: projection.tables, noting: checked)
            if keys.first == held.key {
                slots[0] = held.state
                goingOn = (held.key, rows)
            } else if held.key == continuing {
                // Its stream goes on through the whole batch with no event the projection folds (`folds`).
                carried = held
                carriedRows = rows
            } else {
                // Its stream ended with the batch before.
                try finalize(held.key, held.state, into: &finished)
                endedRows = rows
            }
        }
        // Each key's events one run after another: folded run by run, so that each row written is noted
        // with the key that wrote it.
        var lastEvents: [String: Int] = [:]
        var folded = [Bool](repeating: false, count: keys.count)
        var start = 0
        while start < keyed.count {
            let slot = keyed[start].slot
            var end = start + 1
            while end < keyed.count, keyed[end].slot == slot { end += 1 }
            let key = keys[slot]
            guard !folded[slot], !ended.contains(key.hashValue) else {
                throw StreamOrderConflict(
                    projection: projection.name,
                    reason: "the events of fold state \(key) come from more than one stream")
            }
            folded[slot] = true
            let run = Array(keyed[start..<end])
            let carriesOn = goingOn?.key == key || key == continuing
            if carriesOn, goingOn?.key != key {
                if let earlier = goingOn.take() { endedRows = earlier.rows }
                goingOn = (key, ProjectionOutput(tables: projection.tables, noting: checked))
            }
            if carriesOn, var rows = goingOn.take()?.rows {
                rows.owner = key.hashValue
                let last = try projection.foldBatch(
                    batch, run, keys: keys, slots: &slots, into: &rows, finishing: false)
                finishing.note(rows, batch: batch, lastEvents: last)
                goingOn = (key, rows)
            } else {
                output.owner = key.hashValue
                for (key, index) in try projection.foldBatch(
                    batch, run, keys: keys, slots: &slots, into: &output, finishing: false)
                {
                    lastEvents[key] = index
                }
            }
            start = end
        }
        finishing.note(output, batch: batch, lastEvents: lastEvents)
        for (slot, key) in keys.enumerated() {
            guard let state = slots[slot].take() else { continue }
            if key == continuing {
                carried = (key, state)
            } else {
                try finalize(key, state, into: &finished)
            }
        }
        if let stream = goingOn.take() {
            if stream.key == continuing { carriedRows = stream.rows } else { endedRows = stream.rows }
        }
        if let rows = endedRows {
            try checkRowOwners(rows)
            try await write(rows, on: connection)
        }
        try checkRowOwners(output)
        try checkRowOwners(finished)
        try await write(output, on: connection)
        try await holdFinishRows(finished, on: connection)
        if unsaved.count >= Self.chunk { try await saveUnsaved(on: connection) }
    }

    /// Holds back `finish` rows, and writes them every `chunk` rows (each after the rows held back for its
    /// table, which are older).
    private func holdFinishRows(_ output: ProjectionOutput, on connection: PostgresConnection) async throws {
        for table in projection.tables {
            let rows = output.keyedRows(for: table.name)
            guard !rows.isEmpty, let policy = policies[table.name] else { continue }
            Self.hold(rows, table: table.name, policy: policy, in: &finishRows, count: &finishRowCount)
        }
        if finishRowCount >= Self.chunk { try await writeFinishRows(on: connection) }
    }

    /// Writes the `finish` rows held back.
    private func writeFinishRows(on connection: PostgresConnection) async throws {
        for table in projection.tables {
            guard let held = finishRows.removeValue(forKey: table.name) else { continue }
            try await writeDeferred(table.name, on: connection)
            try await RowWriter.write(
                held, to: table, schema: schema, on: connection, fresh: true, keysNew: keysNew(table))
        }
        finishRowCount = 0
    }

    /// A key whose stream has ended: its `finish` rows into `output`, its state to `unsaved`.
    private func finalize(_ key: String, _ state: P.State, into output: inout ProjectionOutput) throws {
        ended.insert(key.hashValue)
        if let due = finishing.take(key) {
            output.owner = key.hashValue
            output.markPending(key, at: due.time)
            try projection.finishKey(state, key: key, lastEvent: due.event, into: &output)
        }
        unsaved.append((key, try projection.encodeState(state)))
    }

    /// Throws `StreamOrderConflict` when a row key of a checked table was written by two fold-state keys.
    private func checkRowOwners(_ output: ProjectionOutput) throws {
        for (row, owner) in output.written {
            if let previous = rowOwners.updateValue(owner, forKey: row), previous != owner {
                throw StreamOrderConflict(
                    projection: projection.name, reason: "a row is written from the events of two streams")
            }
        }
    }

    /// Writes the final states not written yet (each key once: a COPY straight into the scratch table).
    private func saveUnsaved(on connection: PostgresConnection) async throws {
        var start = 0
        while start < unsaved.count {
            let chunk = Array(unsaved[start..<min(start + Self.chunk, unsaved.count)])
            try await projection.saveEncodedStates(chunk, schema: schema, on: connection, fresh: true)
            start += Self.chunk
        }
        unsaved = []
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
            } else if storedAll || stored.contains(key) {
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
        // A stream-ordered pass: the stream it ended with, and the states not written yet.
        if let held = carried.take() {
            if let rows = carriedRows.take() {
                try checkRowOwners(rows)
                try await write(rows, on: connection)
            }
            var output = ProjectionOutput(tables: projection.tables, noting: checked)
            try finalize(held.key, held.state, into: &output)
            try checkRowOwners(output)
            try await holdFinishRows(output, on: connection)
        }
        try await writeFinishRows(on: connection)
        if inStreamOrder {
            for table in projection.tables { try await writeDeferred(table.name, on: connection) }
            inStreamOrder = false
        }
        if !unsaved.isEmpty || !ended.isEmpty {
            try await saveUnsaved(on: connection)
            storedAll = true
            // Row keys of later batches (in log order) are not checked: free their memory.
            rowOwners = [:]
            ended = []
        }
        // Finish rows, once per key, from its final state (read back if it was written out).
        let due = finishing.take()
        var start = 0
        while start < due.count {
            let chunk = due[start..<min(start + Self.chunk, due.count)]
            let written = chunk.map(\.key).filter {
                entries.index(forKey: $0) == nil && (storedAll || stored.contains($0))
            }
            let loaded =
                written.isEmpty ? [:] : try await projection.loadStates(written, schema: schema, on: connection)
            var output = ProjectionOutput(tables: projection.tables)
            for pending in chunk {
                guard let state = entries[pending.key]?.state ?? loaded[pending.key] else { continue }
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
        // Every changed state held as a value to the state table.
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
                try await RowWriter.write(
                    rows, to: table, schema: schema, on: connection, fresh: true, keysNew: keysNew(table))
                continue
            }
            Self.hold(rows, table: table.name, policy: policy, in: &deferred, count: &deferredCount)
        }
        if deferredCount > deferredLimit {
            for table in projection.tables { try await writeDeferred(table.name, on: connection) }
        }
    }

    /// Merges `rows` into the rows `held` holds back for `table`, keeping `count` of all the rows it holds.
    private static func hold(
        _ rows: KeyedRows, table: String, policy: MergePolicy, in held: inout [String: KeyedRows], count: inout Int
    ) {
        // Taken out while merged into, so its arrays are not copied on write.
        var rowsHeld = held.removeValue(forKey: table) ?? KeyedRows()
        count -= rowsHeld.count
        for run in rows.runs {
            for row in run { rowsHeld.add(row, policy: policy) }
        }
        count += rowsHeld.count
        held[table] = rowsHeld
    }

    /// Writes and forgets the held-back rows of `table`.
    private func writeDeferred(_ table: String, on connection: PostgresConnection) async throws {
        guard let held = deferred.removeValue(forKey: table), let spec = specs[table] else { return }
        deferredCount -= held.count
        try await RowWriter.write(held, to: spec, schema: schema, on: connection, fresh: true, keysNew: keysNew(spec))
    }

    /// Whether rows of `table` are written COPY first (`RowWriter`'s `keysNew`): in stream order, where all of a
    /// key's rows come in one go, except to an `accumulate` table (whose keys many streams add to).
    private func keysNew(_ table: TableSpec) -> Bool {
        guard inStreamOrder else { return false }
        if case .accumulate = table.mode { return false }
        return true
    }

    /// Writes encoded states to the state table (over what it holds), a chunk at a time, in key order.
    private func save(_ states: [(key: String, json: Data)], on connection: PostgresConnection) async throws {
        let sorted = states.sorted { $0.key < $1.key }
        var start = 0
        while start < sorted.count {
            let chunk = Array(sorted[start..<min(start + Self.chunk, sorted.count)])
            try await projection.saveEncodedStates(chunk, schema: schema, on: connection)
            start += Self.chunk
        }
        if !storedAll {
            for state in sorted { stored.insert(state.key) }
        }
    }

    /// Keys per statement when writing states or finish rows (a forecast row carries its whole fade
    /// curve: thousands of them in one statement made the peak memory of a rebuild).
    private static var chunk: Int { 500 }
}

/// The rebuild's limits.
public enum FoldingBuilderDefaults {
    /// Fold states a builder keeps in memory as values while it folds in log order (the events appended
    /// during a rebuild, or a projection folded again in log order, `FoldingBuilder`); beyond it the least
    /// recently used are written to the state table. A stream-ordered rebuild holds one state per builder.
    public static let capacity = 4_000
    /// Rows of `upsert` and `accumulate` tables held back per projection during a rebuild.
    public static let deferredRows = 5_000
}
