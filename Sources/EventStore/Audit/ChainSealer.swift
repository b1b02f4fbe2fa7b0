import Foundation
import Postgres

/// Records the current head of the chain as an `audit.sealed` event on `audit-seals`.
///
/// The seal in the log lets verification notice a later rewrite of everything up to the
/// sealed position; the printed copy, kept outside the database, is what a superuser who
/// rewrites the whole log, seals included, cannot change.
public struct ChainSealer: Sendable {
    public let store: EventStore

    public init(store: EventStore) {
        self.store = store
    }

    /// Seals the current head; throws `AuditError.emptyLog` when there is nothing to seal.
    public func seal(actor: String? = nil, reason: String? = nil) async throws -> ChainSeal {
        let rows: QueryResult
        do {
            rows = try await store.pool.withConnection { connection in
                try await connection.query("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
            }
        } catch let error as PostgresError {
            throw AuditError.database(error)
        }
        guard let row = rows.first else { throw AuditError.emptyLog }
        let (position, hash) = try row.decode((Int64, Bytea).self)
        let head = ChainLink(position: position, hash: hash.bytes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(SealData(position: head.position, hash: head.hex))
        let event = NewEvent(
            type: ChainVerifier.sealEventType, data: data, metadata: EventMetadata(actor: actor, reason: reason))
        let result = try await store.append(
            [event], to: try StreamName(ChainVerifier.sealStream), expectedVersion: .any)
        return ChainSeal(sealed: head, sealEventPosition: result.positions.last ?? head.position + 1)
    }
}
