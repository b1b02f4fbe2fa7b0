import Foundation
import Postgres

/// Writes a rebuild's rows to its fresh scratch tables with `COPY … FROM STDIN` (text format)
/// instead of a JSON document the server re-parses (`BulkWriter`); the stored rows are the same.
///
/// - `insert` tables: copied straight in. The table is fresh and only the rebuild writes it, so a
///   key exists already only if an earlier batch wrote it; then the COPY fails with a unique
///   violation, is rolled back to its savepoint, and the batch's rows go through `BulkWriter`
///   (`ON CONFLICT DO NOTHING`) instead, as live following would write them.
/// - `upsert` and `accumulate` tables: copied into a session-private staging table (temporary,
///   emptied at commit), then moved with one `INSERT … SELECT … ON CONFLICT` as `BulkWriter` does.
///
/// Runs inside the caller's transaction. Each value is sent as the text PostgreSQL's input
/// function for the column receives from `jsonb_populate_recordset` in `BulkWriter`, so both paths
/// store identical rows.
enum CopyWriter {
    static func write(_ rows: [Row], to table: TableSpec, schema: String, on connection: PostgresConnection)
        async throws
    {
        guard !rows.isEmpty else { return }
        // Savepoints and the staging table's ON COMMIT need the caller's transaction.
        guard await connection.isInTransaction() else {
            throw EngineError.outsideTransaction("COPY into \(table.name)")
        }
        guard let data = encode(rows, for: table) else {
            // A value COPY cannot send as the JSON path would (a JSON document in a non-JSON column).
            try await BulkWriter.write(rows, to: table, schema: schema, on: connection)
            return
        }
        let columns = table.columns.map(\.name)
        switch table.mode {
        case .insert:
            try await connection.execute("SAVEPOINT stipple_copy")
            do {
                try await connection.copyIn(into: table.name, schema: schema, columns: columns, data)
            } catch let error as PostgresError where error.sqlState == "23505" {
                try await connection.execute("ROLLBACK TO SAVEPOINT stipple_copy")
                try await connection.execute("RELEASE SAVEPOINT stipple_copy")
                try await BulkWriter.write(rows, to: table, schema: schema, on: connection)
                return
            }
            try await connection.execute("RELEASE SAVEPOINT stipple_copy")
        case .upsert, .accumulate:
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
                    + BulkWriter.conflictClause(for: table))
        }
    }

    /// The rows as COPY text, one field per column (a missing column is NULL, as in `BulkWriter`);
    /// nil if a value has no COPY form equal to its JSON one.
    static func encode(_ rows: [Row], for table: TableSpec) -> CopyTextRows? {
        let isJSON = table.columns.map { column -> Bool in
            let type = column.type.lowercased()
            return type.hasPrefix("json ") || type.hasPrefix("jsonb") || type == "json"
        }
        var data = CopyTextRows(reservingCapacity: rows.count * table.columns.count * 24)
        for row in rows {
            for (index, column) in table.columns.enumerated() {
                let value = row[column.name] ?? .null
                if isJSON[index] {
                    // The JSON text itself, as `BulkWriter` embeds it; a JSON null is SQL NULL there.
                    var json = ""
                    value.appendJSON(to: &json)
                    if RowValue.isJSONNull(json) { data.appendNull() } else { data.append(json) }
                    continue
                }
                switch value {
                case .null: data.appendNull()
                case .int(let number): data.appendPlain(String(number))
                case .double(let number):
                    // JSON goes through `numeric`, which has no negative zero.
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
                case .json: return nil
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
