import EventStore
import Foundation

/// A `FoldingProjection` folded over batches in memory the way `ProjectionRunner.rebuildAll` folds
/// it: states kept across batches, and `finish` called once per key at the end with the key's final
/// state (not after every batch, as live following and `foldInMemory` do). No database: for
/// benchmarks and tests of what a rebuild computes.
public struct InMemoryRebuild<P: FoldingProjection> {
    public let projection: P
    /// Each key's place in `held`.
    private var places: [String: Int] = [:]
    /// Every key's fold state so far, by place. (Held by place, not in a `[String: P.State]`: this type
    /// runs unspecialized from other modules, and a dictionary of a generic value hashed and copied
    /// every probed key through value witnesses, twice per key per batch: more than most folds cost.)
    private var held: [P.State?] = []

    /// Every key's fold state so far.
    public var states: [String: P.State] {
        var states: [String: P.State] = [:]
        states.reserveCapacity(places.count)
        for (key, place) in places {
            if let state = held[place] { states[key] = state }
        }
        return states
    }
    /// Keys whose `finish` rows are due.
    private var finishing = PendingFinishes()
    /// The rows of each table the last batch wrote: the room the next batch's output makes first.
    private var lastRowCounts: [Int] = []

    public init(_ projection: P) {
        self.projection = projection
    }

    /// Folds one batch; returns the rows it writes, by table (`finish` rows excepted).
    public mutating func apply(_ batch: ProjectionBatch) throws -> [String: [Row]] {
        let (keys, keyed) = projection.keyedItems(batch)
        guard !keyed.isEmpty else { return [:] }
        var output = ProjectionOutput(tables: projection.tables)
        output.reserveRows(lastRowCounts)
        // Each key's state taken out of its place while folded (`foldBatch`'s slots), and put back.
        var slots = [P.State?]()
        var keyPlaces = [Int]()
        slots.reserveCapacity(keys.count)
        keyPlaces.reserveCapacity(keys.count)
        for key in keys {
            if let place = places[key] {
                slots.append(held[place].take())
                keyPlaces.append(place)
            } else {
                places[key] = held.count
                keyPlaces.append(held.count)
                held.append(nil)
                slots.append(nil)
            }
        }
        defer {
            for (slot, place) in keyPlaces.enumerated() {
                if let state = slots[slot].take() { held[place] = state }
            }
        }
        let lastEvents = try projection.foldBatch(
            batch, keyed, keys: keys, slots: &slots, into: &output, finishing: false)
        finishing.note(output, batch: batch, lastEvents: lastEvents)
        lastRowCounts = output.rowCounts
        return rows(of: output)
    }

    /// The `finish` rows of every key that has some due, in the order of the keys' last events;
    /// returns them by table.
    public mutating func finish() throws -> [String: [Row]] {
        var output = ProjectionOutput(tables: projection.tables)
        for pending in finishing.take() {
            guard let place = places[pending.key], let state = held[place] else { continue }
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
