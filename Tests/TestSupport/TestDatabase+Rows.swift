import Postgres

extension TestDatabase {
    /// Every row of `schema.table` as text, sorted, for comparing two projection schemas. A fold state table
    /// (`FoldingProjection.stateTable`, `<name>_state`: `key`, `state json`) shows each state as `jsonb` prints
    /// it: `json` keeps the text the fold wrote, whose dictionary members come in hash order, so two equal states
    /// may differ as text.
    public func rowsAsText(schema: String, table: String) async throws -> [String] {
        let name: SQL = "\(identifier: schema).\(identifier: table)"
        let query: SQL =
            table.hasSuffix("_state")
            ? "SELECT s.key || ' ' || s.state::jsonb::text FROM \(fragment: name) s ORDER BY 1"
            : "SELECT t::text FROM \(fragment: name) t ORDER BY 1"
        return try await pool.withConnection { connection in
            try await connection.query(query).map { try $0.decode(String.self, at: 0) }
        }
    }
}
