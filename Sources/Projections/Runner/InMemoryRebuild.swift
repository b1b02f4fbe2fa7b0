import EventStore
import Foundation

/// A `FoldingProjection` folded over batches in memory the way `ProjectionRunner.rebuildAll` folds
/// it: states kept across batches, and `finish` called once per key at the end with the key's final
/// state (not after every batch, as live following and `foldInMemory` do). No database: for
/// benchmarks and tests of what a rebuild computes.
public struct InMemoryRebuild<P: FoldingProjection> {
    public let projection: P
    /// Every key's fold state so far.
    public private(set) var states: [String: P.State] = [:]
    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()

    public init(_ projection: P) {
        self.projection = projection
    }

    /// Folds one batch; returns the rows it writes, by table (`finish` rows excepted).
    public mutating func apply(_ batch: ProjectionBatch) throws -> [String: [Row]] {
        let (keys, keyed) = projection.keyedItems(batch)
        guard !keyed.isEmpty else { return [:] }
        var output = ProjectionOutput(tables: projection.tables)
        let lastEvents = try projection.foldBatch(
            batch, keyed, keys: keys, states: &states, into: &output, finishing: false)
        finishing.note(output, batch: batch, lastEvents: lastEvents)
        return rows(of: output)
    }

    /// The `finish` rows of every key that has some due, in the order of the keys' last events;
    /// returns them by table.
    public mutating func finish() throws -> [String: [Row]] {
        var output = ProjectionOutput(tables: projection.tables)
        for pending in finishing.take() {
            guard let state = states[pending.key] else { continue }
            output.markPending(pending.key, at: pending.time)
            try projection.finishKey(state, key: pending.key, lastEvent: pending.event, into: &output)
        }
        return rows(of: output)
    }

    private func rows(of output: ProjectionOutput) -> [String: [Row]] {
        var result: [String: [Row]] = [:]
        for table in projection.tables {
            let rows = output.rows(for: table.name)
            if !rows.isEmpty { result[table.name] = rows }
        }
        return result
    }
}
