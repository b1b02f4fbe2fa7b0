import EventStore
import Postgres

/// A read model kept in PostgreSQL, rebuildable from the events alone.
///
/// Its tables live in a schema of their own (named after the projection), so a rebuild
/// can fill a fresh schema and swap it in. `apply` runs inside the runner's transaction,
/// together with the checkpoint update: a batch is applied exactly once or not at all.
public protocol Projection: Sendable {
    /// A stable identifier, also the name of its live schema: lower-case letters and `_`.
    var name: String { get }
    /// Bump when the projection's code changes what it stores: the runner then rebuilds it.
    var version: Int { get }
    /// Creates the projection's tables in `schema` (which exists and is empty) with their primary keys but
    /// without their secondary indexes, which `createIndexes` adds: a rebuild fills its scratch tables first
    /// and builds each index once, after the load, instead of maintaining it row by row. Primary keys stay
    /// (the writers' `ON CONFLICT` needs them). `createTables` does both.
    func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws
    /// Creates the secondary indexes `createUnindexedTables` left out (by default none).
    func createIndexes(in schema: String, on connection: PostgresConnection) async throws
    /// Puts loaded tables' rows in the order their queries read them (by default nothing is moved), except the
    /// tables named in `inOrder`, which the builder left in that order already
    /// (`ProjectionBuilder.tablesInPhysicalOrder`). A rebuild calls it once, after `createIndexes`, on tables
    /// it filled; a fresh empty schema has nothing to order.
    func orderLoadedRows(in schema: String, inOrder: Set<String>, on connection: PostgresConnection) async throws
    /// Applies a batch of events, in log order, to the tables in `schema`. May throw `FoldStatesToRefold`: the
    /// runner then calls `refold` outside its transaction and applies the batch again.
    func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws
    /// Folds and stores the fold states `apply` found a rebuild left to be folded again from their streams (by
    /// default none can be: the request is thrown back).
    func refold(_ request: FoldStatesToRefold, in schema: String, from store: EventStore) async throws
    /// A writer for a rebuild into `schema`, fresh and created by `createTables`. The runner is the
    /// schema's only writer until the swap, so a builder may keep state in memory between batches.
    func makeBuilder(in schema: String, on connection: PostgresConnection) async throws -> any ProjectionBuilder
}

/// Fills a fresh schema during a rebuild, batch by batch, with the runner as its only writer.
///
/// The runner feeds it the log up to the head it started from, either in stream order
/// (`applyInStreamOrder`, when `takesStreamOrder`) or in log order (`apply`), then calls `finish`:
/// once when it has read the log up to that head (in a transaction of its own), and again after the
/// events appended meanwhile, which it feeds in log order (`apply`) in the transaction that swaps the
/// schema in. After each `finish` the schema must hold exactly what `Projection.apply` over the events
/// the builder has taken, in log order, would have written, so a second `finish` writes only what the
/// later batches changed. `ProjectionRebuilder.rebuildAll` runs the builders of its projections
/// concurrently, each on a connection of its own: a builder is used by one task at a time, but must
/// share no mutable state with another builder.
public protocol ProjectionBuilder: AnyObject {
    /// Takes a batch in log order.
    func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws
    /// True when the builder can take the log up to the rebuild's head in stream order
    /// (`EventStore.readInStreamOrder`): each stream's events in version order, one stream after another.
    var takesStreamOrder: Bool { get }
    /// Takes a batch of the log read in stream order (the next page: its first stream may go on from the
    /// page before; an empty batch ends the log, and so the stream the last page ended with). Throws `StreamOrderConflict` when what it writes would depend on the order of the
    /// streams; the runner then drops what it wrote and feeds the projection in log order instead.
    func applyInStreamOrder(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws
    func finish(on connection: PostgresConnection) async throws
    /// How many fold states the builder holds in memory.
    var heldStateCount: Int { get }
    /// Tables whose rows the builder has left in their declared physical order (`TableSpec.physicalOrder`), as
    /// of its last `finish`: `Projection.orderLoadedRows` leaves them as they are.
    var tablesInPhysicalOrder: Set<String> { get }
}

/// A builder fed in stream order found that its tables would not end as in log order (a row key written
/// from two streams, or a fold state's events from two streams): the rebuild folds the projection again,
/// in log order.
public struct StreamOrderConflict: Error, Sendable, CustomStringConvertible {
    public var projection: String
    public var reason: String

    public var description: String { "projection \(projection) cannot be rebuilt in stream order: \(reason)" }
}

extension ProjectionBuilder {
    /// By default a builder takes the log in log order only.
    public var takesStreamOrder: Bool { false }
    public func applyInStreamOrder(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        throw StreamOrderConflict(projection: "\(Self.self)", reason: "the builder takes the log in log order only")
    }
    /// By default a builder holds no states.
    public var heldStateCount: Int { 0 }
    /// By default a builder leaves no table in its physical order.
    public var tablesInPhysicalOrder: Set<String> { [] }
}

extension Projection {
    /// Creates the projection's tables in `schema` (which exists and is empty), with their indexes.
    public func createTables(in schema: String, on connection: PostgresConnection) async throws {
        try await createUnindexedTables(in: schema, on: connection)
        try await createIndexes(in: schema, on: connection)
    }

    /// By default `createUnindexedTables` left no index out.
    public func createIndexes(in schema: String, on connection: PostgresConnection) async throws {}

    /// By default a projection leaves no fold state to be folded again.
    public func refold(_ request: FoldStatesToRefold, in schema: String, from store: EventStore) async throws {
        throw request
    }

    /// By default rows stay in the order they were written.
    public func orderLoadedRows(in schema: String, inOrder: Set<String>, on connection: PostgresConnection)
        async throws
    {}

    /// By default a rebuild applies each batch as live following does.
    public func makeBuilder(in schema: String, on connection: PostgresConnection) async throws
        -> any ProjectionBuilder
    {
        ApplyingBuilder(projection: self, schema: schema)
    }
}

/// The builder that keeps nothing in memory: `Projection.apply` per batch.
final class ApplyingBuilder: ProjectionBuilder {
    let projection: any Projection
    let schema: String

    init(projection: any Projection, schema: String) {
        self.projection = projection
        self.schema = schema
    }

    func apply(_ batch: ProjectionBatch, on connection: PostgresConnection) async throws {
        try await projection.apply(batch, in: schema, on: connection)
    }

    func finish(on connection: PostgresConnection) async throws {}
}

/// Raised by a projection that cannot apply an event: the runner stops that projection
/// (the others go on) and records which event it was.
public struct ProjectionFailure: Error, Sendable, CustomStringConvertible {
    public var projection: String
    public var position: Int64
    public var stream: String
    public var type: String
    public var reason: String

    public init(projection: String, event: RecordedEvent, reason: String) {
        self.projection = projection
        self.position = event.position
        self.stream = event.stream.rawValue
        self.type = event.type
        self.reason = reason
    }

    public var description: String {
        "projection \(projection) stopped at position \(position) (stream \(stream), type \(type)): \(reason)"
    }
}
