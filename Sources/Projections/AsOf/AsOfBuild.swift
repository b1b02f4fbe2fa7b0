import EventStore
import Foundation
import Postgres

/// Answers one as-of question without keeping a snapshot: builds the projections into a scratch schema, lets the
/// caller query it, and drops it. For a report asked `--known-at`/`--effective-at`, or an auditor over HTTP.
public enum AsOfBuild {
    /// Builds `projections` as `question` asks into a scratch schema; `body` gets the schema and the last log
    /// position read. The schema is dropped on every path.
    public static func withScratchSnapshot<T: Sendable>(
        _ question: AsOfQuestion, projections: [any Projection], store: EventStore, pool: ConnectionPool,
        _ body: (_ schema: String, _ position: Int64) async throws -> T
    ) async throws -> T {
        let schema = "asof_" + UUID().lowerText.replacingOccurrences(of: "-", with: "")
        let position: Int64
        if let knownAt = question.knownAt {
            position = try await store.position(asOf: knownAt)
        } else {
            position = try await store.headPosition()
        }
        let wrapped = projections.map { projection -> any Projection in
            question.effectiveAt.map { EffectiveAtProjection(projection, effectiveAt: $0) } ?? projection
        }
        do {
            try await ProjectionRunner(store: store, projections: wrapped).buildSnapshot(
                wrapped.map(\.name), upTo: position, asOf: question.knownAt, into: schema)
            try await Snapshots.recordEffectiveAt(question.effectiveAt, schema: schema, pool: pool)
            let value = try await body(schema, position)
            try await drop(schema, pool: pool)
            return value
        } catch {
            try? await drop(schema, pool: pool)
            throw error
        }
    }

    static func drop(_ schema: String, pool: ConnectionPool) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            try await connection.execute("DELETE FROM projection_snapshots WHERE schema_name = \(schema)")
        }
    }
}
