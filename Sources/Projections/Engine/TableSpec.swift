import Postgres

/// A projection table: its columns, its key, and how a batch's rows are written to it.
public struct TableSpec: Sendable {
    /// How rows meet rows already stored under the same key.
    public enum Mode: Sendable, Hashable {
        /// Replace the stored row.
        case upsert
        /// Add the listed numeric columns to the stored row's (aggregates).
        case accumulate([String])
        /// Append-only facts; a row whose key exists is left as it is.
        case insert
    }

    public struct Column: Sendable, Hashable {
        public let name: String
        /// The column's declaration after its name (`"uuid NOT NULL"`).
        public let type: String
        /// The type `type` starts with, as binary COPY writes it (nil for a type it has no binary form for);
        /// read once here, not at every write (`RowWriter.encode`).
        let binaryType: CopyBinaryRows.ColumnType?

        public init(_ name: String, _ type: String) {
            self.name = name
            self.type = type
            binaryType = CopyBinaryRows.ColumnType(declaration: type)
        }
    }

    /// An index whose order a rebuild leaves the table's rows in, physically (`CLUSTER`, once the table is
    /// loaded). A rebuild writes rows stream by stream, i.e. client by client, so a table read by a range of
    /// another column (a year of days) would otherwise have that range's rows on nearly every page.
    public enum PhysicalOrder: Sendable, Hashable {
        /// The primary key's index.
        case primaryKey
        /// The `n`th of `indexes`.
        case index(Int)
    }

    /// The storage of every projection table (and of the staging tables rows pass through, `RowWriter`): a row is
    /// kept whole and uncompressed in its page up to the largest a page holds (`toast_tuple_target`, 2 kB by
    /// default, past which PostgreSQL compresses a row's values and moves them out of line). About a tenth of the
    /// forecast's rows and a third of portfolio's fold states are past 2 kB at 1M events; compressing them as a
    /// rebuild writes them and decompressing them as they are read cost more server CPU than the pages they save.
    public static let rowStorage = "WITH (toast_tuple_target = 8160)"

    public var name: String
    public var columns: [Column]
    public var primaryKey: [String]
    public var mode: Mode
    /// Extra indexes, each a column list such as `"technician_id, starts_at"`.
    public var indexes: [String]
    /// The order a rebuild leaves the rows in (nil: the order they were written in).
    public var physicalOrder: PhysicalOrder?

    public init(
        name: String, columns: [Column], primaryKey: [String], mode: Mode, indexes: [String] = [],
        physicalOrder: PhysicalOrder? = nil
    ) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.mode = mode
        self.indexes = indexes
        self.physicalOrder = physicalOrder
    }
}
