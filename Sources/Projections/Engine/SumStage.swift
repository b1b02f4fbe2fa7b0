import Postgres

/// The rows of an order-free `accumulate` table (`MergePolicy.isOrderFree`: every column outside the key is a
/// sum) during a stream-ordered rebuild pass (`StreamOrderBuilder`), added up once when the pass ends.
///
/// Many streams add to the same keys of such a table (a day's takings at a till), so its rows cannot go
/// straight into the table as they come: until 2026-12-07 each batch of held rows went through a staging
/// table and `INSERT … ON CONFLICT DO UPDATE` adding the sums, and at the end a `CLUSTER` put the table in its
/// key order. At 1M events that was ~50 such statements for revenue's two tables (~3.5 s of statement time)
/// plus ~0.8 s of `CLUSTER`. Now the pass appends the rows, unmerged, to an unlogged table of the same columns
/// without a key (`COPY`, nothing to check), and `load` adds them up with one `INSERT … SELECT … GROUP BY`
/// into the empty table, in key order when the key is the table's physical order; the builder then names the
/// table among those it left in order (`ProjectionBuilder.tablesInPhysicalOrder`), and the rebuild's `CLUSTER`
/// passes it by (~0.35 s at 1M events).
///
/// The sums are what `MergePolicy`'s `c = t.c + EXCLUDED.c` gives: NULL when any row's value is NULL. The
/// staging table is an unlogged table in the scratch schema: a server crash empties it, and the rebuild's
/// crash marker then refuses the swap (`ProjectionRebuilder.crashMarker`); a rebuild that ends otherwise
/// drops it with the schema.
///
/// The pass's last job leaves the adding up to the rebuild (`StreamOrderBuilder.takeDeferredLoads`), which runs
/// each table's on a connection of its own once the pass has committed its staged rows, concurrently with the
/// other projections' finishing: until 2026-12-07 revenue's two tables were added up one after the other in its
/// last job (~0.6 + 0.5 s at 1M events) while the rest of the rebuild waited for them.
///
/// The rows are added up in memory by key on their way (`SumTotals`), so that the staging table gets about one row
/// per key rather than one per batch that touched it: at 1M events revenue's tables were staged ~630,000 and
/// ~400,000 rows (~1.0 and ~0.7 s to add up after the pass), now about twice their ~105,000 keys (past the keys
/// held in memory, `SumTotals.defaultMaximumKeys`) and their ~79,000.
struct SumStage: Sendable {
    let table: TableSpec
    let schema: String
    /// True once the staging table exists (created with the first rows staged).
    private var isCreated = false
    /// The rows appended and not staged yet, added up by key; nil when the table's key is too wide to number
    /// (`SumTotals.init`), and rows are staged as they come.
    private var totals: SumTotals?

    /// `maximumKeys`: the keys held in memory at most (`SumTotals`).
    init(table: TableSpec, schema: String, maximumKeys: Int = SumTotals.defaultMaximumKeys) {
        self.table = table
        self.schema = schema
        totals = SumTotals(table: table, maximumKeys: maximumKeys)
    }

    /// The staging table's name, in `schema`.
    var name: String { table.name + "__sums" }

    /// True when rows were appended that `load` has not added up yet.
    var holdsRows: Bool { isCreated || totals?.isEmpty == false }

    /// Rows staged at a time from the totals (~700 bytes each as `Row`s).
    static let stagedChunk = 5_000

    /// Adds `rows` (however many share a key) to the totals, staging them all once they hold `maximumKeys`; with
    /// no totals, appends them to the staging table.
    mutating func append(_ rows: KeyedRows, on connection: PostgresConnection) async throws {
        // Taken out while added to, so that its arrays are not copied on write.
        guard var held = totals.take() else { return try await stage(rows.rows, on: connection) }
        for row in rows.rows { held.add(row) }
        totals = held
        if held.count >= held.maximumKeys { try await stageTotals(on: connection) }
    }

    /// Appends the totals and the rows memory did not add up to the staging table, and starts the totals afresh.
    private mutating func stageTotals(on connection: PostgresConnection) async throws {
        guard let held = totals, !held.isEmpty else { return }
        totals?.removeAll()
        for rows in held.totals(chunkedBy: Self.stagedChunk) { try await stage(rows, on: connection) }
        try await stage(held.unmergedRows, on: connection)
    }

    /// Appends `rows` to the staging table (made with the first).
    private mutating func stage(_ rows: [Row], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        if !isCreated {
            try await connection.execute(
                """
                CREATE UNLOGGED TABLE \(identifier: schema).\(identifier: name)
                (LIKE \(identifier: schema).\(identifier: table.name) INCLUDING DEFAULTS)
                WITH (autovacuum_enabled = false)
                """)
            isCreated = true
        }
        let staging = TableSpec(name: name, columns: table.columns, primaryKey: [], mode: .insert)
        try await RowWriter.write(rows, to: staging, schema: schema, on: connection, fresh: true)
    }

    /// Whether `load` leaves the table's rows in its physical order (`TableSpec.physicalOrder`, when that is the
    /// primary key).
    var loadsInOrder: Bool { table.physicalOrder == .primaryKey }

    /// Forgets the staging table and the totals, whose rows another copy of this stage will add up (`load`).
    mutating func forgetStaged() {
        isCreated = false
        totals?.removeAll()
    }

    /// Adds up the staged rows into the table (empty until now), one row per key, and drops the staging table;
    /// returns whether the table's rows are now in its physical order (`loadsInOrder`).
    @discardableResult
    mutating func load(on connection: PostgresConnection) async throws -> Bool {
        let inOrder = loadsInOrder
        try await stageTotals(on: connection)
        guard isCreated else { return inOrder }
        let target = SQL.quoteIdentifier(schema) + "." + SQL.quoteIdentifier(table.name)
        let staged = SQL.quoteIdentifier(schema) + "." + SQL.quoteIdentifier(name)
        let keys = table.primaryKey.map(SQL.quoteIdentifier).joined(separator: ", ")
        let sums = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }.map(SQL.quoteIdentifier)
        let totals = sums.map { "CASE WHEN count(\($0)) = count(*) THEN sum(\($0)) END" }
        let order = inOrder ? " ORDER BY \(keys)" : ""
        // Every name below is a quoted identifier from code; no value is spliced in.
        try await connection.executeScript(
            "INSERT INTO \(target) (\(([keys] + sums).joined(separator: ", "))) "
                + "SELECT \(([keys] + totals).joined(separator: ", ")) FROM \(staged) GROUP BY \(keys)\(order)")
        try await connection.execute("DROP TABLE \(identifier: schema).\(identifier: name)")
        isCreated = false
        return inOrder
    }
}
