import Clinic
import EventStore
import Foundation
import Postgres

/// A projection fed only the events whose business time (`at`) is on or before a date: what was true then,
/// whatever was recorded later (an import, a back-dated entry). The wrapped projection is unchanged; an event that
/// cannot be decoded is passed on so the projection reports it as it would.
public struct EffectiveAtProjection: Projection {
    /// The projection answering.
    public let base: any Projection
    /// The latest business time fed to it.
    public let effectiveAt: Date

    /// Wraps `base`.
    public init(_ base: any Projection, effectiveAt: Date) {
        self.base = base
        self.effectiveAt = effectiveAt
    }

    public var name: String { base.name }
    public var version: Int { base.version }

    public func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await base.createUnindexedTables(in: schema, on: connection)
    }

    public func createIndexes(in schema: String, on connection: PostgresConnection) async throws {
        try await base.createIndexes(in: schema, on: connection)
    }

    public func orderLoadedRows(in schema: String, inOrder: Set<String>, on connection: PostgresConnection)
        async throws
    {
        try await base.orderLoadedRows(in: schema, inOrder: inOrder, on: connection)
    }

    public func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        let kept = Self.filtered(batch, effectiveAt: effectiveAt)
        guard !kept.items.isEmpty else { return }
        try await base.apply(kept, in: schema, on: connection)
    }

    public func refold(_ request: FoldStatesToRefold, in schema: String, from store: EventStore) async throws {
        try await base.refold(request, in: schema, from: store)
    }

    /// The batch without events dated after `effectiveAt` (undecodable events kept: see the type's comment).
    public static func filtered(_ batch: ProjectionBatch, effectiveAt: Date) -> ProjectionBatch {
        ProjectionBatch(
            items: batch.items.filter { item in
                guard case .success(let event) = item.decoded else { return true }
                return event.at <= effectiveAt
            }, store: batch.store)
    }
}
