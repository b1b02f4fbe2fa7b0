/// Where a rebuild's builders send their rows (`FoldingBuilder`, `StreamOrderBuilder`): `insert` rows go to
/// their table with their batch; rows of `upsert` and `accumulate` tables are held back, merged by key with the
/// table's `MergePolicy` (`HeldRows`: the latest row wins, sums add), and written when more than `limit` rows
/// are held, before later rows of their table that are not merged with them (`flush`), and at the end
/// (`flushAll`). A key touched by many batches reaches its table a few times per rebuild instead of once per
/// batch. The builder says how rows reach a table (`Write`).
struct RowSink {
    /// Writes rows to a table (the builder's way: `RowWriter`, or a `SumStage` during a stream-ordered pass).
    typealias Write = (KeyedRows, TableSpec) async throws -> Void

    let tables: [TableSpec]
    let limit: Int
    private let policies: [String: MergePolicy]
    /// Tables whose rows are never held back (a stream-ordered pass's order-free tables: `SumStage` adds them up).
    private let passingThrough: Set<String>
    private var held = HeldRows()

    /// `limit` 0 holds nothing back; nor is anything of the tables in `passingThrough`.
    init(tables: [TableSpec], limit: Int, passingThrough: Set<String> = []) {
        self.tables = tables
        self.limit = max(0, limit)
        self.passingThrough = passingThrough
        var policies: [String: MergePolicy] = [:]
        for table in tables { policies[table.name] = MergePolicy(table) }
        self.policies = policies
    }

    /// Rows held back, over all tables.
    var heldCount: Int { held.count }

    /// The merge policy of the table named `table`.
    func policy(_ table: String) -> MergePolicy? { policies[table] }

    /// A batch's rows: `insert` rows written now, the others held back. A row of a table in `mustBeNew` whose
    /// key is held already throws `RowWriter.KeyExists` (a stream-ordered rebuild's check that a row key is
    /// written from one stream only).
    mutating func take(_ output: ProjectionOutput, mustBeNew: Set<String> = [], write: Write) async throws {
        for table in tables {
            let rows = output.keyedRows(for: table.name)
            guard !rows.isEmpty else { continue }
            guard table.mode != .insert, limit > 0, !passingThrough.contains(table.name),
                let policy = policies[table.name]
            else {
                try await write(rows, table)
                continue
            }
            guard held.hold(rows, table: table.name, policy: policy) || !mustBeNew.contains(table.name) else {
                throw RowWriter.KeyExists(table: table.name)
            }
        }
        if held.count > limit { try await flushAll(write: write) }
    }

    /// Writes and forgets the rows held back for `table`.
    mutating func flush(_ table: TableSpec, write: Write) async throws {
        guard let rows = held.take(table.name) else { return }
        try await write(rows, table)
    }

    /// Writes and forgets every row held back.
    mutating func flushAll(write: Write) async throws {
        for table in tables { try await flush(table, write: write) }
    }
}
