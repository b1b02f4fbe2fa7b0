import Foundation
import Postgres

/// The one way projection rows reach their tables, live and in a rebuild: `COPY … FROM STDIN` in binary
/// format (`encode`: each value in its column type's binary form, so the server parses no text) into a
/// session-private staging table of the table's shape (temporary, emptied at commit), then one
/// `INSERT … SELECT … ON CONFLICT` with the table's `MergePolicy` clause.
///
/// A rebuild's fresh scratch table (`fresh: true`) takes `insert` rows straight from COPY: only the
/// rebuild writes it, so a key exists already only if an earlier batch wrote it; then the COPY fails
/// with a unique violation, is rolled back to its savepoint, and the rows go the staging way. With
/// `keysNew` rows of any mode go COPY first the same way (a stream-ordered rebuild writes all of a key's
/// rows in one go, so its keys are nearly always new): where no key exists, the table's merge policy
/// stores what a plain insert stores. With `strict` as well, a key the table holds already is an error
/// (`KeyExists`), not merged: a stream-ordered rebuild learns from the table's own primary key that a row
/// key was written from two streams, without remembering the keys it wrote.
///
/// Runs inside the caller's transaction (the savepoint and the staging table's `ON COMMIT` need it).
enum RowWriter {
    /// Writes `rows`, run after run (see `KeyedRows`).
    static func write(
        _ rows: KeyedRows, to table: TableSpec, schema: String, on connection: PostgresConnection, fresh: Bool = false,
        keysNew: Bool = false, strict: Bool = false
    ) async throws {
        for run in rows.runs {
            try await write(
                run, to: table, schema: schema, on: connection, fresh: fresh, keysNew: keysNew, strict: strict)
        }
    }

    /// A `strict` write met a key the table holds already (nothing of that write is stored).
    struct KeyExists: Error, Sendable {
        let table: String
    }

    /// Writes rows whose keys are all different.
    static func write(
        _ rows: [Row], to table: TableSpec, schema: String, on connection: PostgresConnection, fresh: Bool = false,
        keysNew: Bool = false, strict: Bool = false
    ) async throws {
        guard !rows.isEmpty else { return }
        guard await connection.isInTransaction() else {
            throw EngineError.outsideTransaction("writing rows to \(table.name)")
        }
        let data = try encode(rows, for: table)
        let columns = table.columns.map(\.name)
        if fresh, table.mode == .insert || keysNew || strict {
            try await connection.execute("SAVEPOINT stipple_copy")
            do {
                try await connection.copyIn(into: table.name, schema: schema, columns: columns, data)
                try await connection.execute("RELEASE SAVEPOINT stipple_copy")
                return
            } catch let error as PostgresError where error.sqlState == "23505" {
                try await connection.execute("ROLLBACK TO SAVEPOINT stipple_copy")
                try await connection.execute("RELEASE SAVEPOINT stipple_copy")
                if strict { throw KeyExists(table: table.name) }
            }
        }
        let stage = stagingName(for: table)
        let target = SQL.quoteIdentifier(schema) + "." + SQL.quoteIdentifier(table.name)
        let list = columns.map(SQL.quoteIdentifier).joined(separator: ", ")
        // Every name below is a quoted identifier from code; no value is spliced in. (The staging table stores rows
        // as the projections' tables do, `TableSpec.rowStorage`: a value it compressed would go into the table
        // compressed.)
        try await connection.executeScript(
            "CREATE TEMPORARY TABLE IF NOT EXISTS \(SQL.quoteIdentifier(stage)) \(TableSpec.rowStorage) "
                + "ON COMMIT DELETE ROWS AS "
                + "SELECT \(list) FROM \(target) WITH NO DATA")
        try await connection.copyIn(into: stage, schema: "pg_temp", columns: columns, data)
        try await connection.executeScript(
            "WITH staged AS (DELETE FROM pg_temp.\(SQL.quoteIdentifier(stage)) RETURNING \(list)) "
                + "INSERT INTO \(target) AS t (\(list)) SELECT \(list) FROM staged "
                + MergePolicy(table).conflictClause)
    }

    /// A value a row gives for a column that cannot hold it (nothing of that write is stored).
    struct ValueDoesNotFit: Error, Sendable, CustomStringConvertible {
        let table: String
        let column: String
        let reason: String

        var description: String { "\(table).\(column): \(reason)" }
    }

    /// The rows in binary COPY form, one field per column in the table's order, each in the binary form of
    /// the column's declared type (a missing column is NULL).
    ///
    /// Stores what the text COPY of the same rows stored: a JSON document goes only into a `json`/`jsonb`
    /// column, and its JSON `null` is stored as NULL (any other value there as its JSON text); a double that is
    /// not finite is NULL, and -0 is 0; a date is the instant `RowValue.iso8601` writes (milliseconds); text for
    /// a `uuid`, `date` or number column is read as the server read it (canonical UUID text, `YYYY-MM-DD`,
    /// decimal digits); a text column holds numbers, booleans and dates as their text. A value the column
    /// cannot hold (an integer outside an `integer` column's range, text that is not a UUID, a double for an
    /// integer column) throws `ValueDoesNotFit`, naming the table and column. Text for a typed column is read in
    /// the forms projections write, narrower than the server's text input: `true`/`false` only for a boolean (not
    /// `t`, `yes`, `on`), no `NaN` text for a double, the canonical UUID spelling only, and a timestamp's fraction
    /// past microseconds cut, not rounded.
    static func encode(_ rows: [Row], for table: TableSpec) throws -> CopyBinaryRows {
        let types = try table.columns.map { column in
            guard let type = column.binaryType else {
                throw ValueDoesNotFit(
                    table: table.name, column: column.name, reason: "no binary COPY form for type \(column.type)")
            }
            return type
        }
        var data = CopyBinaryRows(reservingCapacity: rows.count * (2 + table.columns.count * 16))
        for row in rows {
            data.beginRow(fieldCount: table.columns.count)
            for (index, column) in table.columns.enumerated() {
                let value = row.value(of: column.name, at: index) ?? .null
                let type = types[index]
                if case .json = value, type != .json, type != .jsonb {
                    throw EngineError.jsonInPlainColumn(table: table.name, column: column.name)
                }
                do {
                    try append(value, as: type, to: &data)
                } catch {
                    throw ValueDoesNotFit(table: table.name, column: column.name, reason: error.description)
                }
            }
        }
        return data
    }

    /// Appends `value` as a field of `type` (see `encode`).
    private static func append(_ value: RowValue, as type: CopyBinaryRows.ColumnType, to data: inout CopyBinaryRows)
        throws(CopyBinaryRows.InvalidValue)
    {
        if type == .json || type == .jsonb {
            if case .json(let document) = value {
                if RowValue.isJSONNull(document) {
                    data.appendNull()
                } else if type == .jsonb {
                    try data.appendJSONB(utf8: document)
                } else {
                    try data.appendJSON(utf8: document)
                }
                return
            }
            var json = ""
            value.appendJSON(to: &json)
            if RowValue.isJSONNull(json.utf8) {
                data.appendNull()
            } else if type == .jsonb {
                try data.appendJSONB(json)
            } else {
                try data.appendJSON(json)
            }
            return
        }
        switch value {
        case .null:
            data.appendNull()
        case .json:
            throw CopyBinaryRows.InvalidValue("a JSON document", type, "not a json or jsonb column")
        case .int(let number):
            switch type {
            case .text: try data.appendText(String(number))
            case .doublePrecision: data.appendFloat64(Double(number))
            default: try data.appendInteger(number, as: type)
            }
        case .double(let number):
            // Stored as a JSON number would be: no negative zero, nothing for NaN or infinities.
            if !number.isFinite {
                data.appendNull()
            } else if type == .doublePrecision {
                data.appendFloat64(number == 0 ? 0 : number)
            } else if type == .text {
                try data.appendText(number == 0 ? "0" : "\(number)")
            } else {
                throw CopyBinaryRows.InvalidValue("\(number)", type, "a double for a column of another type")
            }
        case .text(let text):
            switch type {
            case .text: try data.appendText(text)
            case .uuid: try data.appendUUID(text: text)
            case .date: try data.appendDate(text: text)
            case .timestamptz: try data.appendTimestamp(text: text)
            case .smallint, .integer, .bigint:
                guard let number = Int64(text) else {
                    throw CopyBinaryRows.InvalidValue(text, type, "not an integer in decimal digits")
                }
                try data.appendInteger(number, as: type)
            case .doublePrecision:
                guard let number = Double(text), number.isFinite else {
                    throw CopyBinaryRows.InvalidValue(text, type, "not a finite decimal number")
                }
                data.appendFloat64(number)
            case .boolean:
                guard text == "true" || text == "false" else {
                    throw CopyBinaryRows.InvalidValue(text, type, "neither true nor false")
                }
                data.appendBool(text == "true")
            case .json, .jsonb:
                preconditionFailure("json columns are written above")
            }
        case .bool(let flag):
            switch type {
            case .boolean: data.appendBool(flag)
            case .text: try data.appendText(flag ? "true" : "false")
            default:
                throw CopyBinaryRows.InvalidValue(
                    flag ? "true" : "false", type, "a boolean for a column of another type")
            }
        case .date(let date):
            switch type {
            case .timestamptz:
                if let micros = RowValue.wholeSecondMicroseconds(date) {
                    data.appendTimestamp(microsecondsSince2000: micros)
                } else {
                    try data.appendTimestamp(text: RowValue.iso8601(date))
                }
            case .date:
                if RowValue.wholeSecondMicroseconds(date) != nil {
                    try data.appendDate(date)
                } else {
                    try data.appendDate(text: RowValue.iso8601(date))
                }
            case .text:
                try data.appendText(RowValue.iso8601(date))
            default:
                throw CopyBinaryRows.InvalidValue(RowValue.iso8601(date), type, "a date for a column of another type")
            }
        }
    }

    /// The staging table for `table`'s shape: named after the table and a hash of its columns, so
    /// a staging table left in the session by another shape of the same name is never reused.
    static func stagingName(for table: TableSpec) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (table.columns.map { $0.name + " " + $0.type }.joined(separator: ",")).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "stipple_stage_\(table.name.prefix(32))_\(hex.prefix(12))"
    }
}
