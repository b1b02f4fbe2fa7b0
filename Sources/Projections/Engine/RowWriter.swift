import Foundation
import Postgres

/// The one way projection rows reach their tables, live and in a rebuild: `COPY … FROM STDIN` (text
/// format) into a session-private staging table of the table's shape (temporary, emptied at commit),
/// then one `INSERT … SELECT … ON CONFLICT` with the table's `MergePolicy` clause.
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
        // Every name below is a quoted identifier from code; no value is spliced in.
        try await connection.executeScript(
            "CREATE TEMPORARY TABLE IF NOT EXISTS \(SQL.quoteIdentifier(stage)) ON COMMIT DELETE ROWS AS "
                + "SELECT \(list) FROM \(target) WITH NO DATA")
        try await connection.copyIn(into: stage, schema: "pg_temp", columns: columns, data)
        try await connection.executeScript(
            "WITH staged AS (DELETE FROM pg_temp.\(SQL.quoteIdentifier(stage)) RETURNING \(list)) "
                + "INSERT INTO \(target) AS t (\(list)) SELECT \(list) FROM staged "
                + MergePolicy(table).conflictClause)
    }

    /// The rows as COPY text, one field per column (a missing column is NULL). A JSON document goes
    /// only into a `json`/`jsonb` column; its JSON `null` is stored as NULL.
    static func encode(_ rows: [Row], for table: TableSpec) throws -> CopyTextRows {
        let isJSON = table.columns.map { column -> Bool in
            let type = column.type.lowercased()
            return type.hasPrefix("json ") || type.hasPrefix("jsonb") || type == "json"
        }
        var data = CopyTextRows(reservingCapacity: rows.count * table.columns.count * 24)
        for row in rows {
            for (index, column) in table.columns.enumerated() {
                let value = row.value(of: column.name, at: index) ?? .null
                if isJSON[index] {
                    var json = ""
                    value.appendJSON(to: &json)
                    if RowValue.isJSONNull(json) { data.appendNull() } else { data.append(json) }
                    continue
                }
                switch value {
                case .null: data.appendNull()
                case .int(let number): data.appendPlain(String(number))
                case .double(let number):
                    // Stored as a JSON number would be: no negative zero, nothing for NaN or infinities.
                    if !number.isFinite {
                        data.appendNull()
                    } else if number == 0 {
                        data.appendPlain("0")
                    } else {
                        data.appendPlain("\(number)")
                    }
                case .text(let text): data.append(text)
                case .bool(let flag): data.appendPlain(flag ? "true" : "false")
                case .date(let date): data.appendPlain(RowValue.iso8601(date))
                case .json: throw EngineError.jsonInPlainColumn(table: table.name, column: column.name)
                }
            }
            data.endRow()
        }
        return data
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
