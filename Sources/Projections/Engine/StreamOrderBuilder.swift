import EventStore
import Foundation
import Postgres

/// Rebuilds a `FoldingProjection` into a fresh schema from the log read in stream order.
///
/// Every fold-state key is a function of its event's stream (`FoldingProjection.stateKey(for:)`), so in stream
/// order a key's events come one after another, and once its stream's last event is folded its state is
/// final: the builder then makes its `finish` rows, writes the state to the state table once (a COPY with the
/// others) and forgets it — or, for a key that names its stream (`FoldingProjection.stream(forKey:)`, every clinic
/// projection's key), writes nothing: the pass's end marks the state table with the position it read up to, and
/// whoever meets such a key next folds its state from its stream up to there (`FoldingProjection.loadStates`;
/// since 2026-12-07: encoding and storing every client's states was ~15 % of a 1M rebuild's CPU). It holds one state across batches (that of the stream a batch ends with, which may
/// go on in the next one), and that stream's rows, written once it ends: all of a stream's rows reach the
/// tables in one go, merged by key, and COPY straight into them (`RowWriter`'s `keysNew`). No state is
/// evicted, read back, decoded or encoded twice, and neither the cost per event nor the memory grows with the
/// log. (Until 2026-12-06 the rebuild read in log order and kept the states it could in memory: at 1M events
/// nearly every event of a client decoded and re-encoded its states.)
///
/// In stream order a table's rows end as in log order when each row key is written from one stream only. For
/// every table outside `FoldingProjection.tablesKeyedByStream` (`accumulate` tables of sums excepted, whose rows
/// add in any order) the builder checks that without remembering the keys it wrote: within a batch by the keys
/// its output noted; across batches by the rows still held back (`HeldRows`: a key held already) and by the
/// table's own primary key (`RowWriter`'s `strict`: a key the table holds already). A fold state's events from
/// two streams show as a run of a batch that spans two streams, a key in two runs of a batch, or a state
/// written twice to the state table (its primary key again). Any of these throws `StreamOrderConflict`, and
/// the rebuild folds that projection again in log order. So does a refused event, so that the failure names
/// the first refused event in log order, as following would. (Until 2026-12-07 the builder kept a hash of
/// every row key it wrote and of every ended stream's key: ~3M entries at 10M events.) A table written by
/// both `fold` and `finish` under the same key is seen as written twice: such a projection is folded in log
/// order.
///
/// An empty batch ends the pass (`finish` ends it too): every row and state is written then. What comes after
/// (the events appended during the rebuild) is fed in log order to a `FoldingBuilder` that finds every state
/// in the state table or folds it from its stream; so is the whole log when the runner feeds this builder in log
/// order only.
final class StreamOrderBuilder<P: FoldingProjection>: ProjectionBuilder {
    /// The stream a batch ended with: its key, state, and rows so far.
    private struct Carried {
        var key: String
        var stream: String
        var state: P.State
        var rows: ProjectionOutput
    }

    /// Where the builder is: before a stream-ordered pass (or fed in log order only), in one, or after it.
    private enum Phase {
        case beforePass, inPass, passEnded
    }

    let projection: P
    let schema: String

    private var carried: Carried?
    /// The tables whose row keys must be new when written (see the type's comment).
    private let checked: Set<String>
    /// Final states not yet written to the state table.
    private var unsaved: [(key: String, json: Data)] = []
    /// `finish` rows of ended streams not yet written (written every `chunk` rows: until 2026-12-07 a forecast
    /// row carried its whole fade curve, ~12 kB as text at 1M events, and 5 000 of them held took ~100 MiB).
    private var finishRows = HeldRows()
    /// Rows of `upsert` and `accumulate` tables not written yet.
    private var sink: RowSink
    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()
    private var phase = Phase.beforePass
    /// What comes after the pass, or the whole log when fed in log order only.
    private var logOrder: FoldingBuilder<P>?
    /// The order-free `accumulate` tables' rows of the pass, added up when it ends (`SumStage`).
    private var sumStages: [String: SumStage] = [:]
    /// How many rows each table got from the batch before (`ProjectionOutput.reserveRows`).
    private var lastRowCounts: [Int] = []
    /// Tables whose rows the pass left in their physical order (see `tablesInPhysicalOrder`).
    private var loadedInOrder: Set<String> = []
    /// The last position of the log the pass has read (its events are at or below it).
    private var passEnd: Int64 = 0
    /// True once a key's state was left to be folded again from its stream (`FoldingProjection.stream(forKey:)`).
    private var leftStates = false
    /// Sums staged by the pass and not added up yet (`takeDeferredLoads`; else the log-order builder's making,
    /// before `finish` or a batch after the pass, adds them up).
    private var deferredLoads: [SumStage] = []

    init(projection: P, schema: String, deferredLimit: Int = FoldingBuilderDefaults.deferredRows) {
        self.projection = projection
        self.schema = schema
        var checked: Set<String> = []
        let keyedByStream = projection.tablesKeyedByStream
        var sumStages: [String: SumStage] = [:]
        for table in projection.tables {
            let policy = MergePolicy(table)
            if !keyedByStream.contains(table.name) && !policy.isOrderFree { checked.insert(table.name) }
            if policy.isOrderFree { sumStages[table.name] = SumStage(table: table, schema: schema) }
        }
        // (The sums' rows go straight to their stage, which adds them up by key: held back here as well, they were
        // merged twice.)
        sink = RowSink(tables: projection.tables, limit: deferredLimit, passingThrough: Set(sumStages.keys))
        self.sumStages = sumStages
        self.checked = checked
    }

    var takesStreamOrder: Bool { true }

    /// The tables a `SumStage` loaded in their physical order (the primary key) when the pass ended, as long as
    /// no row has been written to them since: their `CLUSTER` would leave them as they are.
    var tablesInPhysicalOrder: Set<String> { wroteAfterPass ? [] : loadedInOrder }

    /// True once a batch has been fed in log order after the pass.
    private var wroteAfterPass = false

    var heldStateCount: Int { (carried == nil ? 0 : 1) + (logOrder?.heldStateCount ?? 0) }

    func applyInStreamOrder(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        guard phase != .passEnded, logOrder == nil else {
            throw StreamOrderConflict(projection: projection.name, reason: "the builder was fed in log order")
        }
        phase = .inPass
        do {
            if batch.items.isEmpty {
                try await endPass(deferringLoads: true, on: connection)
            } else {
                try await fold(batch, on: connection)
            }
        } catch let taken as RowWriter.KeyExists {
            throw conflict(taken)
        }
    }

    func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        let builder = try await logOrderBuilder(on: connection)
        wroteAfterPass = true
        try await builder.apply(batch, on: connection)
    }

    func finish(on connection: PostgresConnection) async throws {
        try await logOrderBuilder(on: connection).finish(on: connection)
    }

    /// The sums the pass staged and left to be added up (each on a connection of its own, before `finish`); the
    /// builder forgets them.
    func takeDeferredLoads() -> [SumStage] {
        defer { deferredLoads = [] }
        return deferredLoads
    }

    /// Adds up the sums no one took (`takeDeferredLoads`), once the pass has ended (`logOrderBuilder`).
    private func loadDeferred(on connection: PostgresConnection) async throws {
        for var stage in takeDeferredLoads() { _ = try await stage.load(on: connection) }
    }

    /// The log-order builder, made once the pass (if any) has ended.
    private func logOrderBuilder(on connection: PostgresConnection) async throws -> FoldingBuilder<P> {
        if let logOrder { return logOrder }
        if phase == .inPass {
            do {
                try await endPass(deferringLoads: false, on: connection)
            } catch let taken as RowWriter.KeyExists {
                throw conflict(taken)
            }
        }
        // (Rows written in log order after the pass add to the sums: those must be in the table first.)
        try await loadDeferred(on: connection)
        let builder = FoldingBuilder(
            projection: projection, schema: schema, deferredLimit: sink.limit, statesStored: phase == .passEnded)
        logOrder = builder
        return builder
    }

    private func conflict(_ taken: RowWriter.KeyExists) -> StreamOrderConflict {
        StreamOrderConflict(
            projection: projection.name,
            reason: taken.table == projection.stateTable
                ? "the events of a fold state come from more than one stream"
                : "a row of \(taken.table) is written from the events of two streams")
    }

    /// Folds one batch of the log in stream order.
    private func fold(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        let (keys, keyed) = projection.keyedItems(batch)
        let items = batch.items
        func stream(_ index: Int) -> String { items[index].recorded.stream.rawValue }
        // The stream the batch ends with may go on in the next batch: its state and rows are carried over.
        let lastStream = stream(items.count - 1)
        var output = ProjectionOutput(tables: projection.tables, noting: checked)
        // Room for as many rows as the batch before made: a key index grown from empty rehashes every key about
        // twice (~2.5 % of a rebuild's client CPU at 1M events).
        output.reserveRows(lastRowCounts)
        var finished = ProjectionOutput(tables: projection.tables, noting: checked)
        var slots = [P.State?](repeating: nil, count: keys.count)
        // The stream going on from the batch before, if it goes on here with events the projection folds.
        var resumed: Carried?
        // The rows of streams that end in this batch and began before it or go on into the next.
        var endedRows: [ProjectionOutput] = []
        var goingOn: (key: String, stream: String, rows: ProjectionOutput)?
        if let held = carried.take() {
            if let first = keyed.first, keys[first.slot] == held.key, stream(first.index) == held.stream {
                slots[first.slot] = held.state
                resumed = held
            } else if keyed.isEmpty, stream(0) == held.stream, lastStream == held.stream {
                // Its stream goes on through the whole batch with no event the projection folds (`folds`).
                carried = held
            } else {
                // Its stream ended with the batch before, or in this one with no event the projection folds.
                try finalize(held.key, stream: held.stream, held.state, into: &finished)
                endedRows.append(held.rows)
            }
        }
        for item in items { passEnd = max(passEnd, item.recorded.position) }
        // Each key's events one run after another, each run within one stream: folded run by run, so that each
        // row written is noted with the key that wrote it.
        var lastEvents: [String: Int] = [:]
        var folded = [Bool](repeating: false, count: keys.count)
        // The stream of each key's events.
        var streams = [String](repeating: "", count: keys.count)
        var start = 0
        while start < keyed.count {
            let slot = keyed[start].slot
            var end = start + 1
            while end < keyed.count, keyed[end].slot == slot { end += 1 }
            let key = keys[slot]
            let runStream = stream(keyed[start].index)
            // (The batch is in stream order: a run whose first and last events share a stream is within it.)
            guard !folded[slot], stream(keyed[end - 1].index) == runStream else {
                throw StreamOrderConflict(
                    projection: projection.name,
                    reason: "the events of fold state \(key) come from more than one stream")
            }
            folded[slot] = true
            streams[slot] = runStream
            let run = Array(keyed[start..<end])
            if resumed?.key == key || runStream == lastStream {
                // A stream going on from the batch before or into the next: its rows are kept apart.
                var rows =
                    resumed.take()?.rows ?? ProjectionOutput(tables: projection.tables, noting: checked)
                rows.owner = nextOwner()
                let last = try projection.foldBatch(
                    batch, run, keys: keys, slots: &slots, into: &rows, finishing: false)
                finishing.note(rows, batch: batch, lastEvents: last)
                if runStream == lastStream { goingOn = (key, runStream, rows) } else { endedRows.append(rows) }
            } else {
                output.owner = nextOwner()
                for (key, index) in try projection.foldBatch(
                    batch, run, keys: keys, slots: &slots, into: &output, finishing: false)
                {
                    lastEvents[key] = index
                }
            }
            start = end
        }
        finishing.note(output, batch: batch, lastEvents: lastEvents)
        lastRowCounts = output.rowCounts
        for (slot, key) in keys.enumerated() {
            guard let state = slots[slot].take() else { continue }
            if let stream = goingOn, stream.key == key {
                carried = Carried(key: key, stream: stream.stream, state: state, rows: stream.rows)
            } else {
                try finalize(key, stream: streams[slot], state, into: &finished)
            }
        }
        // (The rows of one stream have one writer; `output` and `finished` have a writer per key.)
        try checkWriters(output)
        try checkWriters(finished)
        for rows in endedRows { try await write(rows, on: connection) }
        try await write(output, on: connection)
        try await holdFinishRows(finished, on: connection)
        if unsaved.count >= FoldingBuilderDefaults.chunk { try await saveUnsaved(on: connection) }
    }

    /// Ends the pass: the stream the last batch ended with has ended too; every row and state is written, and the
    /// staged sums are added up, or, `deferringLoads`, left to `takeDeferredLoads` (or `finish`).
    private func endPass(deferringLoads: Bool, on connection: PostgresConnection) async throws {
        if let held = carried.take() {
            try await write(held.rows, on: connection)
            var finished = ProjectionOutput(tables: projection.tables, noting: checked)
            try finalize(held.key, stream: held.stream, held.state, into: &finished)
            try await holdFinishRows(finished, on: connection)
        }
        try await writeFinishRows(on: connection)
        try await sink.flushAll { rows, table in try await self.writeRows(rows, to: table, on: connection) }
        for name in sumStages.keys.sorted() {
            guard var stage = sumStages[name] else { continue }
            if deferringLoads, stage.holdsRows {
                deferredLoads.append(stage)
                if stage.loadsInOrder { loadedInOrder.insert(name) }
                stage.forgetStaged()
            } else if try await stage.load(on: connection) {
                loadedInOrder.insert(name)
            }
            sumStages[name] = stage
        }
        if leftStates {
            // Where the states left out stop: a batch that meets one of their keys folds its stream up to here.
            unsaved.append((P.refoldMark, Data(String(passEnd).utf8)))
        }
        try await saveUnsaved(on: connection)
        phase = .passEnded
    }

    /// A key whose stream has ended: its `finish` rows into `output`; its state to `unsaved`, or, when the key names
    /// its stream (`FoldingProjection.stream(forKey:)`), left to be folded again from it by whoever meets the key
    /// next. A key naming another stream than the one its events came from would be folded again wrongly: the
    /// projection is folded in log order instead.
    private func finalize(_ key: String, stream: String, _ state: P.State, into output: inout ProjectionOutput)
        throws
    {
        if let due = finishing.take(key) {
            output.owner = nextOwner()
            output.markPending(key, at: due.time)
            try projection.finishKey(state, key: key, lastEvent: due.event, into: &output)
        }
        if let named = projection.stream(forKey: key) {
            guard named.rawValue == stream else {
                throw StreamOrderConflict(
                    projection: projection.name,
                    reason: "fold state \(key) names stream \(named.rawValue), but its events come from \(stream)")
            }
            leftStates = true
        } else {
            unsaved.append((key, try projection.encodeState(state)))
        }
    }

    /// Rows' writers told apart by a number of their own (a hash of the key could, in principle, make two keys one).
    private var owners = 0

    /// A writer number not given before.
    private func nextOwner() -> Int {
        owners += 1
        return owners
    }

    /// Throws `StreamOrderConflict` when two fold-state keys wrote a row of the same key of a checked table in
    /// `output` (merged there into one row, which neither `HeldRows` nor the table would see twice).
    private func checkWriters(_ output: ProjectionOutput) throws {
        guard output.written.count > 1 else { return }
        var writers: [Int: Int] = [:]
        writers.reserveCapacity(output.written.count)
        for (row, owner) in output.written {
            if let previous = writers.updateValue(owner, forKey: row), previous != owner {
                throw StreamOrderConflict(
                    projection: projection.name, reason: "a row is written from the events of two streams")
            }
        }
    }

    /// Writes a stream's `insert` rows and holds back the others, merged by key; a key of a checked table held
    /// already or stored already was written from another stream.
    private func write(_ output: ProjectionOutput, on connection: PostgresConnection) async throws {
        try await sink.take(output, mustBeNew: checked) { rows, table in
            try await self.writeRows(rows, to: table, on: connection)
        }
    }

    /// Holds back `finish` rows, and writes them every `chunk` rows (each after the rows held back for its
    /// table, which are older).
    private func holdFinishRows(_ output: ProjectionOutput, on connection: PostgresConnection) async throws {
        for table in projection.tables {
            let rows = output.keyedRows(for: table.name)
            guard !rows.isEmpty, let policy = sink.policy(table.name) else { continue }
            guard finishRows.hold(rows, table: table.name, policy: policy) || !checked.contains(table.name) else {
                throw RowWriter.KeyExists(table: table.name)
            }
        }
        if finishRows.count >= FoldingBuilderDefaults.chunk { try await writeFinishRows(on: connection) }
    }

    /// Writes the `finish` rows held back.
    private func writeFinishRows(on connection: PostgresConnection) async throws {
        for table in projection.tables {
            guard let held = finishRows.take(table.name) else { continue }
            try await sink.flush(table) { rows, table in try await self.writeRows(rows, to: table, on: connection) }
            try await writeRows(held, to: table, on: connection)
        }
    }

    /// Writes rows COPY first (`RowWriter`'s `keysNew`: all of a key's rows come in one go), except to an
    /// order-free `accumulate` table, whose keys many streams add to: during the pass its rows are staged and
    /// added up when it ends (`SumStage`), after it they are merged by the table. A checked table's keys must
    /// be new (`strict`).
    private func writeRows(_ rows: KeyedRows, to table: TableSpec, on connection: PostgresConnection) async throws {
        // (Taken out while appended to: a copy left in the dictionary would make it copy its totals.)
        if phase == .inPass, var stage = sumStages.removeValue(forKey: table.name) {
            try await stage.append(rows, on: connection)
            sumStages[table.name] = stage
            return
        }
        let strict = checked.contains(table.name)
        var keysNew = true
        if case .accumulate = table.mode, !strict { keysNew = false }
        try await RowWriter.write(
            rows, to: table, schema: schema, on: connection, fresh: true, keysNew: keysNew, strict: strict)
    }

    /// Writes the final states not written yet: each key once (a COPY straight into the scratch table; a key
    /// stored already had its events in two streams).
    private func saveUnsaved(on connection: PostgresConnection) async throws {
        try await projection.saveEncodedStates(unsaved, schema: schema, on: connection, fresh: true, strict: true)
        unsaved = []
    }
}

/// A builder whose stream-ordered pass leaves sums to add up (`SumStage`) that the rebuild adds up on connections of
/// its own before the builder's `finish` (`ProjectionRebuilder.finishAndVacuum`).
protocol StreamOrderLoads: AnyObject {
    /// The sums staged and not added up yet; the builder forgets them (its `finish` would add them up otherwise).
    func takeDeferredLoads() -> [SumStage]
}

extension StreamOrderBuilder: StreamOrderLoads {}
