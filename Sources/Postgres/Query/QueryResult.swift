import CLibPQ
import Foundation

/// The rows of one statement, read in place from libpq's result.
///
/// The result is kept (and freed when the last row or copy of this value goes) rather than copied
/// out: cells are decoded only when asked for, straight from libpq's buffers, which keeps reading a
/// million events cheap.
public struct QueryResult: Sendable, RandomAccessCollection {
    final class Storage: @unchecked Sendable {
        // @unchecked: libpq never changes a PGresult once it is made, and says such results may be read from
        // any thread; it is freed once, in deinit, when no row can reach it any more.
        private let result: OpaquePointer
        let columns: [String]
        let rowCount: Int

        /// Takes ownership of `result` (freed with it).
        init(result: OpaquePointer) {
            self.result = result
            let count = Int(PQnfields(result))
            var columns = [String]()
            columns.reserveCapacity(count)
            for column in 0..<count {
                columns.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "?column?")
            }
            self.columns = columns
            rowCount = Int(PQntuples(result))
        }

        deinit {
            PQclear(result)
        }

        /// True when the cell is SQL NULL (row and column in range).
        func isNull(row: Int, column: Int) -> Bool {
            PQgetisnull(result, Int32(row), Int32(column)) == 1
        }

        /// Calls `body` with the cell's text, in place (row and column in range; not NULL).
        func withCell<R>(row: Int, column: Int, _ body: (Span<UInt8>) throws -> R) rethrows -> R {
            let length = Int(PQgetlength(result, Int32(row), Int32(column)))
            guard length > 0, let value = PQgetvalue(result, Int32(row), Int32(column)) else {
                return try body(Span())
            }
            return try withExtendedLifetime(self) {
                let bytes = UnsafeBufferPointer(
                    start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length)
                return try body(bytes.span)
            }
        }

        /// The cell's length in bytes (row and column in range).
        func length(row: Int, column: Int) -> Int {
            Int(PQgetlength(result, Int32(row), Int32(column)))
        }

        /// Whether the cell at `row` holds the same `length` bytes as the one at `other` (rows in range,
        /// neither NULL, both `length` bytes long).
        func cell(_ row: Int, equals other: Int, column: Int, length: Int) -> Bool {
            guard length > 0, let a = PQgetvalue(result, Int32(row), Int32(column)),
                let b = PQgetvalue(result, Int32(other), Int32(column))
            else { return true }
            return memcmp(a, b, length) == 0
        }

        /// Copies the cells of `column` (none NULL), one after the other, into one new buffer of `total`
        /// bytes (their sum), and gives it as a `Data` that frees it.
        func concatenated(column: Int, total: Int) -> Data {
            guard total > 0, let buffer = malloc(total) else { return Data() }
            var offset = 0
            for row in 0..<rowCount {
                let length = self.length(row: row, column: column)
                if length > 0, let value = PQgetvalue(result, Int32(row), Int32(column)) {
                    memcpy(buffer + offset, value, length)
                }
                offset += length
            }
            return Data(bytesNoCopy: buffer, count: total, deallocator: .free)
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
        if storage.isNull(row: row, column: column) {
            return try T.decodeNull(column: storage.columns[column])
        }
        do {
            return try storage.withCell(row: row, column: column) { try T.decode(fromTextSpan: $0) }
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
        storage.isNull(row: row, column: column)
    }
}
