import CLibPQ
import Foundation

/// The input of a `COPY … FROM STDIN` in PostgreSQL's text format: rows of tab-separated
/// fields, `\N` for NULL, and the format's backslash escapes for backslash, tab, newline and
/// carriage return, so any text travels unchanged.
///
///     var copy = CopyTextRows()
///     copy.append("O'Brien\tand \\ friends")
///     copy.appendNull()
///     copy.endRow()
///     try await connection.copyIn("COPY notes (body, note) FROM STDIN", copy)
public struct CopyTextRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    private var fieldsInRow = 0

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { rowCount == 0 && fieldsInRow == 0 }

    /// Appends a text field (escaped as the format needs).
    public mutating func append(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { utf8 in
            // Most text needs no escape: append it whole.
            if !utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x5C: bytes += [0x5C, 0x5C]  // \\
                case 0x09: bytes += [0x5C, 0x74]  // \t
                case 0x0A: bytes += [0x5C, 0x6E]  // \n
                case 0x0D: bytes += [0x5C, 0x72]  // \r
                default: bytes.append(byte)
                }
            }
        }
    }

    /// Appends a field whose text is known to need no escape (digits, ISO 8601 dates, `true`).
    public mutating func appendPlain(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends a NULL field.
    public mutating func appendNull() {
        separate()
        bytes += [0x5C, 0x4E]  // \N
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0A)
        rowCount += 1
        fieldsInRow = 0
    }

    private mutating func separate() {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
    }
}

extension PostgresConnection {
    /// Copies `rows` (one field per column, in `columns`' order) into `schema.table` with
    /// `COPY … FROM STDIN` in text format; every name is quoted. Returns the number of rows copied.
    /// Errors as `copyIn(_:_:)`.
    @discardableResult
    public func copyIn(into table: String, schema: String, columns: [String], _ rows: CopyTextRows) async throws
        -> Int
    {
        let text =
            "COPY \(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table)) ("
            + columns.map(SQL.quoteIdentifier).joined(separator: ", ") + ") FROM STDIN"
        return try await copyIn(SQL(trusted: text), data: rows.bytes)
    }

    /// Runs `statement`, a `COPY … FROM STDIN` in text format, with `rows` as its input, and
    /// returns the number of rows copied.
    ///
    /// A row the server rejects fails the whole COPY with a `PostgresError` carrying the
    /// server's message and SQLSTATE; the connection stays usable and, inside a transaction,
    /// the transaction is failed (roll it back, or back to a savepoint).
    @discardableResult
    public func copyIn(_ statement: SQL, _ rows: CopyTextRows) async throws -> Int {
        try await copyIn(statement, data: rows.bytes)
    }

    /// Runs `statement`, a `COPY … FROM STDIN` (any format), sending `data` as its input.
    /// Returns the number of rows copied.
    @discardableResult
    public func copyIn(_ statement: SQL, data: [UInt8]) async throws -> Int {
        guard statement.binds.isEmpty else {
            throw PostgresError(
                code: .server, message: "COPY takes no bound parameters; put values in the copied data",
                query: statement.text)
        }
        return try await onQueue { try self.copyInSync(statement.text, data: data) }
    }

    /// Bytes handed to libpq per `PQputCopyData` call.
    private static var copyChunk: Int { 1 << 20 }

    private func copyInSync(_ text: String, data: [UInt8]) throws -> Int {
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
