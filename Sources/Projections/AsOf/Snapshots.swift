import Foundation
import Postgres

/// What an as-of snapshot schema answers, as recorded in `projection_snapshots`.
public struct SnapshotRecord: Sendable, Hashable {
    /// The schema.
    public var schema: String
    /// The question asked.
    public var question: AsOfQuestion
    /// The last log position read.
    public var position: Int64
    /// False while it is being built (or when building failed).
    public var complete: Bool

    /// The question in words.
    public var description: String { question.describe(position: position) }
}

/// Records and reads which question a snapshot answers.
public enum Snapshots {
    /// Records the business-time cutoff of a snapshot just built (the runner records the position and `as_of`).
    public static func recordEffectiveAt(_ date: Date?, schema: String, pool: ConnectionPool) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                "UPDATE projection_snapshots SET effective_at = \(date as Date?) WHERE schema_name = \(schema)")
        }
    }

    /// The snapshot in `schema`, or nil when it is not one (e.g. a live projection's schema).
    public static func record(schema: String, pool: ConnectionPool) async throws -> SnapshotRecord? {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT position, as_of, effective_at, complete FROM projection_snapshots WHERE schema_name = \(schema)
                """)
            guard let row = rows.first else { return nil }
            let (position, knownAt, effectiveAt, complete) = try row.decode((Int64, Date?, Date?, Bool).self)
            return SnapshotRecord(
                schema: schema,
                question: AsOfQuestion(knownAt: knownAt, effectiveAt: effectiveAt),
                position: position, complete: complete)
        }
    }
}
