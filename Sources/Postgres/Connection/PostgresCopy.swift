import CLibPQ
import Foundation

extension PostgresConnection {
    /// Copies `rows` (one field per column, in `columns`' order, each in its column's binary form) into
    /// `schema.table` with `COPY … FROM STDIN (FORMAT binary)`; every name is quoted. Returns the number of rows
    /// copied. Errors as `copyIn(_:data:)`: a field the column's type cannot read, or a row with another number
    /// of fields, fails the COPY on the server (SQLSTATE 22P03 or 22P04).
    @discardableResult
    public func copyIn(into table: String, schema: String, columns: [String], _ rows: CopyBinaryRows) async throws
        -> Int
    {
        let text =
            "COPY \(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table)) ("
            + columns.map(SQL.quoteIdentifier).joined(separator: ", ") + ") FROM STDIN (FORMAT binary)"
        return try await onQueue {
            try self.copyInSync(text, parts: [CopyBinaryRows.header, rows.rowBytes, CopyBinaryRows.trailer])
        }
    }

    /// Runs `statement`, a `COPY … FROM STDIN` (any format), sending `data` as its input.
    /// Returns the number of rows copied.
    ///
    /// A row the server rejects fails the whole COPY with a `PostgresError` carrying the
    /// server's message and SQLSTATE; the connection stays usable and, inside a transaction,
    /// the transaction is failed (roll it back, or back to a savepoint).
    @discardableResult
    public func copyIn(_ statement: SQL, data: [UInt8]) async throws -> Int {
        guard statement.binds.isEmpty else {
            throw PostgresError(
                code: .server, message: "COPY takes no bound parameters; put values in the copied data",
                query: statement.text)
        }
        return try await onQueue { try self.copyInSync(statement.text, parts: [data]) }
    }

    /// Bytes handed to libpq per `PQputCopyData` call.
    private static var copyChunk: Int { 1 << 20 }

    /// Runs the COPY `text`, sending `parts` one after the other as its input.
    private func copyInSync(_ text: String, parts: [[UInt8]]) throws -> Int {
        let connection = try liveHandle()
        guard let started = PQexec(connection, text) else {
            let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .server : .connectionLost
            throw PostgresError(code: code, message: Self.errorMessage(connection), query: text)
        }
        let status = PQresultStatus(started)
        guard status == PGRES_COPY_IN else {
            defer { PQclear(started) }
            if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
                throw PostgresError(code: .server, message: "not a COPY … FROM STDIN statement", query: text)
            }
            if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                // Not ours to read: end it so the connection stays usable.
                _ = PQputCopyEnd(connection, "stipple: expected COPY FROM STDIN")
                Self.drainCopyOut(connection)
                Self.drainResults(connection)
                throw PostgresError(code: .server, message: "not a COPY … FROM STDIN statement", query: text)
            }
            throw Self.makeError(started, connection: connection, query: text)
        }
        PQclear(started)
        for data in parts {
            var sendFailure: PostgresError?
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
                var offset = 0
                while offset < raw.count {
                    let count = min(Self.copyChunk, raw.count - offset)
                    guard PQputCopyData(connection, base + offset, Int32(count)) == 1 else {
                        sendFailure = PostgresError(
                            code: .connectionLost, message: Self.errorMessage(connection), query: text)
                        return
                    }
                    offset += count
                }
            }
            if let sendFailure { throw sendFailure }
        }
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(code: .connectionLost, message: Self.errorMessage(connection), query: text)
        }
        // The COPY's outcome, then the end of its results (libpq needs both read).
        var failure: PostgresError?
        var copied = 0
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK:
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            case PGRES_COPY_IN:
                // Cannot happen after PQputCopyEnd; end it rather than loop.
                _ = PQputCopyEnd(connection, "stipple: COPY ended twice")
            default:
                if failure == nil { failure = Self.makeError(result, connection: connection, query: text) }
            }
            if PQstatus(connection) != CONNECTION_OK { break }
        }
        if let failure { throw failure }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: Self.errorMessage(connection), query: text)
        }
        return copied
    }

    private static func drainCopyOut(_ connection: OpaquePointer) {
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(connection, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
    }

    private static func drainResults(_ connection: OpaquePointer) {
        while let result = PQgetResult(connection) { PQclear(result) }
    }
}
