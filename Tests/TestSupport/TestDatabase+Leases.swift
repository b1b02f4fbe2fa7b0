import EventStore
import Foundation
import Postgres

extension TestDatabase {
    /// The backend pids holding `LeaseHolder` leases (advisory locks in its namespace) in this database.
    public func leaseBackends() async throws -> Set<Int32> {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT DISTINCT l.pid FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = \(Int64(LeaseHolder.namespace))
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """)
        }
        return Set(try rows.map { try $0.decode((Int32).self) })
    }
}
