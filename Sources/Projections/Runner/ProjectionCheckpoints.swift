import EventStore
import Foundation
import Postgres

/// The `projection_checkpoints` table's SQL: where each projection stands, in one place for the live
/// runner and the rebuilder. Statements that must share a transaction with a projection's writes
/// take that transaction's connection.
struct ProjectionCheckpoints: Sendable {
    let pool: ConnectionPool

    /// Every stored checkpoint by name (code versions left 0 for the runner to fill in).
    func stored() async throws -> [String: ProjectionRunner.State] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT name, version, position, status, error, failed_position, updated_at FROM projection_checkpoints"
            )
        }
        var stored: [String: ProjectionRunner.State] = [:]
        for row in rows {
            let (name, version, position, status, error, failedPosition, updatedAt) = try row.decode(
                (String, Int, Int64, String, String?, Int64?, Date?).self)
            stored[name] = ProjectionRunner.State(
                name: name, storedVersion: version, codeVersion: 0, position: position, isFailed: status == "failed",
                error: error, failedPosition: failedPosition, updatedAt: updatedAt)
        }
        return stored
    }

    /// Adds a checkpoint at position 0 for `projection` unless it has one.
    static func register(_ projection: any Projection, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO projection_checkpoints (name, version, position) VALUES (\(projection.name), \(projection.version), 0)
            ON CONFLICT (name) DO NOTHING
            """)
    }

    /// Locks `name`'s checkpoint row until the transaction ends; returns its position and whether it is
    /// running (nil: no checkpoint).
    @discardableResult
    static func lock(_ name: String, on connection: PostgresConnection) async throws -> (
        position: Int64, isRunning: Bool
    )? {
        let rows = try await connection.query(
            "SELECT position, status FROM projection_checkpoints WHERE name = \(name) FOR UPDATE")
        guard let row = rows.first else { return nil }
        let (position, status) = try row.decode((Int64, String).self)
        return (position, status == "running")
    }

    /// Moves a running projection's checkpoint to `position`.
    static func advance(_ name: String, to position: Int64, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "UPDATE projection_checkpoints SET position = \(position), updated_at = now() WHERE name = \(name)")
    }

    /// A rebuilt projection swapped in: at `position`, at `version`, running, its failure cleared.
    static func rebuilt(_ name: String, version: Int, at position: Int64, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE projection_checkpoints
            SET position = \(position), version = \(version), status = 'running',
                error = NULL, failed_position = NULL, updated_at = now()
            WHERE name = \(name)
            """)
    }

    /// Stops `name` on the event `failure` names.
    func markFailed(_ name: String, _ failure: ProjectionFailure) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE projection_checkpoints
                SET status = 'failed', error = \(failure.description), failed_position = \(failure.position),
                    updated_at = now()
                WHERE name = \(name)
                """)
        }
    }
}
