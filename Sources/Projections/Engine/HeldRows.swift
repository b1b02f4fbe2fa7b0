/// Rows of a rebuild's `upsert` and `accumulate` tables held back and merged by key with each table's
/// `MergePolicy` until they are written (`FoldingBuilder`, `StreamOrderBuilder`): a key touched by many
/// batches reaches its table a few times per rebuild instead of once per batch.
struct HeldRows {
    private var byTable: [String: KeyedRows] = [:]
    /// Rows held, over all tables.
    private(set) var count = 0

    /// Merges `rows` into the rows held for `table`; returns whether every key of `rows` was new to them (a key
    /// held already merges with its row, or starts a new run when the two cannot merge in memory).
    @discardableResult
    mutating func hold(_ rows: KeyedRows, table: String, policy: MergePolicy) -> Bool {
        // Taken out while merged into, so its arrays are not copied on write.
        var held = byTable.removeValue(forKey: table) ?? KeyedRows()
        count -= held.count
        var allNew = true
        for run in rows.runs {
            for row in run {
                let (rows, runs) = (held.count, held.earlierRuns.count)
                held.add(row, policy: policy)
                if held.count == rows || held.earlierRuns.count != runs { allNew = false }
            }
        }
        count += held.count
        byTable[table] = held
        return allNew
    }

    /// Removes and returns the rows held for `table`.
    mutating func take(_ table: String) -> KeyedRows? {
        guard let held = byTable.removeValue(forKey: table) else { return nil }
        count -= held.count
        return held
    }
}
