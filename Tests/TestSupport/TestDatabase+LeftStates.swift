import EventStore
import Postgres
import Projections

extension TestDatabase {
    /// Stores the fold states a stream-ordered rebuild left to be folded again from their streams
    /// (`FoldingProjection.stream(forKey:)`) in the clinic projections' `suffix`ed schemas, each as its stream's
    /// events up to the rebuild's mark fold it (`FoldingProjection.refoldedStates`), and drops the mark: the state
    /// tables then hold every state, as following writes them, to be compared with following's.
    public func storeLeftStates(suffix: String = "") async throws {
        for projection in ClinicProjections.all(for: store) {
            let schema = projection.name + suffix
            if let folding = projection as? any FoldingProjection {
                try await storeLeftStates(of: folding, schema: schema)
            } else if projection is ForecastProjection {
                try await storeLeftStates(of: ForecastFold(), schema: schema)
            }
        }
    }

    private func storeLeftStates<P: FoldingProjection>(of projection: P, schema: String) async throws {
        let table: SQL = "\(identifier: schema).\(identifier: projection.stateTable)"
        let (mark, stored, streams) = try await pool.withConnection { connection in
            let exists = try await connection.query(
                "SELECT to_regclass(\(SQL.quoteIdentifier(schema) + "." + SQL.quoteIdentifier(projection.stateTable)))::text"
            ).first?.decode(String?.self)
            guard exists != nil else { return (Int64?.none, Set<String>(), [String]()) }
            let mark = try await connection.query("SELECT state FROM \(fragment: table) WHERE key = ''").first?.decode(
                String.self)
            let stored = Set(
                try await connection.query("SELECT key FROM \(fragment: table)").map { try $0.decode(String.self) })
            let streams = try await connection.query(
                "SELECT DISTINCT stream FROM events WHERE position <= \(mark.flatMap { Int64($0) } ?? 0)"
            ).map { try $0.decode(String.self) }
            return (mark.flatMap { Int64($0) }, stored, streams)
        }
        guard let mark else { return }
        let keys = Set(streams.compactMap { try? EventStreamName($0) }.compactMap { projection.stateKey(for: $0) })
            .filter { projection.stream(forKey: $0) != nil && !stored.contains($0) }
        let states = try await projection.refoldedStates(keys.sorted(), upTo: mark, from: store)
        try await pool.withTransaction { connection in
            for (key, state) in states {
                let json = String(decoding: try projection.encodeState(state), as: UTF8.self)
                try await connection.execute("INSERT INTO \(fragment: table) (key, state) VALUES (\(key), \(json))")
            }
            try await connection.execute("DELETE FROM \(fragment: table) WHERE key = ''")
        }
    }
}
