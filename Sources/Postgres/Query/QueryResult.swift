/// The rows of one statement, copied out of libpq into one contiguous buffer.
///
/// Copying once into a single buffer (rather than a `String` per cell) keeps reading a
/// million events cheap; cells are decoded only when asked for.
public struct QueryResult: Sendable, RandomAccessCollection {
    final class Storage: Sendable {
        let columns: [String]
        let bytes: [UInt8]
        /// For each cell, row-major: start offset in `bytes`, and length (-1 for NULL).
        let starts: [Int32]
        let lengths: [Int32]
        let rowCount: Int

        init(columns: [String], bytes: [UInt8], starts: [Int32], lengths: [Int32], rowCount: Int) {
            self.columns = columns
            self.bytes = bytes
            self.starts = starts
            self.lengths = lengths
            self.rowCount = rowCount
        }
    }

    let storage: Storage
    /// Rows changed by an INSERT, UPDATE or DELETE (0 for other statements).
    public let affectedRows: Int

    init(storage: Storage, affectedRows: Int) {
        self.storage = storage
        self.affectedRows = affectedRows
    }

    /// The column names, in order.
    public var columns: [String] { storage.columns }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }
    public subscript(position: Int) -> PostgresRow { PostgresRow(storage: storage, row: position) }
}

/// One row of a `QueryResult`; decode cells by column index or name.
public struct PostgresRow: Sendable {
    let storage: QueryResult.Storage
    let row: Int

    /// Decodes the cell at `column` (0-based) as `T`; NULL is an error unless `T` is Optional.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < storage.columns.count else {
            throw PostgresError(
                code: .decoding, message: "column index \(column) out of range (\(storage.columns.count) columns)")
        }
        let cell = row * storage.columns.count + column
        let length = Int(storage.lengths[cell])
        if length < 0 {
            return try T.decodeNull(column: storage.columns[column])
        }
        let start = Int(storage.starts[cell])
        let slice = storage.bytes[start..<(start + length)]
        do {
            return try T.decode(fromText: slice)
        } catch let error as PostgresError {
            var error = error
            error.message = "column \(storage.columns[column]): \(error.message)"
            throw error
        }
    }

    /// Decodes the cell of the column named `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let index = storage.columns.firstIndex(of: name) else {
            throw PostgresError(code: .decoding, message: "no column named \(name)")
        }
        return try decode(type, at: index)
    }

    /// How many columns the row has.
    public var columnCount: Int { storage.columns.count }

    /// True when the cell is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        storage.lengths[row * storage.columns.count + column] < 0
    }
}
