import Postgres

/// Writes many rows to one table in one statement: the rows travel as one JSON array and
/// `jsonb_populate_recordset` turns them into the table's row type.
enum BulkWriter {
    static func write(_ rows: [Row], to table: TableSpec, schema: String, on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        var json = "["
        json.reserveCapacity(rows.count * 128)
        for (index, row) in rows.enumerated() {
            if index > 0 { json += "," }
            json += "{"
            var first = true
            for column in table.columns {
                guard let value = row[column.name] else { continue }
                if !first { json += "," }
                first = false
                RowValue.appendQuoted(column.name, to: &json)
                json += ":"
                value.appendJSON(to: &json)
            }
            json += "}"
        }
        json += "]"
        let target = SQL.quoteIdentifier(schema) + "." + SQL.quoteIdentifier(table.name)
        let columns = table.columns.map { SQL.quoteIdentifier($0.name) }
        let conflict = conflictClause(for: table)
        // Only the JSON document is a parameter; every name above is a quoted identifier from code.
        let statement = SQL(
            trustedPrefix: "INSERT INTO \(target) AS t (\(columns.joined(separator: ", "))) SELECT "
                + columns.joined(separator: ", ") + " FROM jsonb_populate_recordset(NULL::\(target), ",
            json: json, suffix: "::jsonb) " + conflict)
        try await connection.execute(statement)
    }

    /// The `ON CONFLICT` clause that gives `table.mode`'s meaning to rows inserted into the table
    /// aliased `t` (also used by `CopyWriter`).
    static func conflictClause(for table: TableSpec) -> String {
        let key = table.primaryKey.map(SQL.quoteIdentifier).joined(separator: ", ")
        let others = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }
        switch table.mode {
        case .insert:
            return "ON CONFLICT (\(key)) DO NOTHING"
        case .upsert where others.isEmpty:
            return "ON CONFLICT (\(key)) DO NOTHING"
        case .upsert:
            let sets = others.map { "\(SQL.quoteIdentifier($0)) = EXCLUDED.\(SQL.quoteIdentifier($0))" }
            return "ON CONFLICT (\(key)) DO UPDATE SET " + sets.joined(separator: ", ")
        case .accumulate(let sums):
            let sets = others.map { column -> String in
                let quoted = SQL.quoteIdentifier(column)
                return sums.contains(column)
                    ? "\(quoted) = t.\(quoted) + EXCLUDED.\(quoted)" : "\(quoted) = EXCLUDED.\(quoted)"
            }
            return sets.isEmpty
                ? "ON CONFLICT (\(key)) DO NOTHING"
                : "ON CONFLICT (\(key)) DO UPDATE SET " + sets.joined(separator: ", ")
        }
    }
}
