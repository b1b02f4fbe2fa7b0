import EventStore
import Postgres
import Projections
/// Brings the read models a command answers from up to the head of the log first, so an
/// answer is never older than the command (incremental: only new events are applied).
enum ReadModels {
    /// Opens a pool, catches `projections` up, runs `body`, and closes the pool on every path.
    static func using<T>(
        _ database: DatabaseOptions, _ projections: [any Projection], _ body: (ConnectionPool) async throws -> T
    ) async throws -> T {
        let pool = try database.pool(maximumConnections: 2)
        do {
            try await ProjectionRunner(store: database.store(pool), projections: projections).catchUp()
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}
