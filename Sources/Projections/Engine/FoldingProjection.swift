import Clinic
import EventStore
import Foundation
import JSONNodes
import Postgres

/// A projection written as a pure fold: each event updates the fold state of its key
/// (usually its stream) and emits rows; the engine loads the states a batch touches,
/// folds the batch in memory, and writes states and rows with one statement per table.
///
/// Keeping `fold` pure means the projection's logic is tested and benchmarked without a
/// database, and a batch costs a handful of round trips however many events it holds.
public protocol FoldingProjection: Projection {
    associatedtype State: Codable & Sendable

    /// The tables the projection fills (its fold states are kept in a table of their own).
    var tables: [TableSpec] { get }
    /// The key of the fold state the events of `stream` belong to, or nil when the projection ignores
    /// them. (The stream, not the event: passing a whole `RecordedEvent` copied it, twice per event for
    /// every projection of a rebuild.)
    func stateKey(for stream: EventStreamName) -> String?
    /// The tables whose every row is written from the events of one stream only, whatever the events say
    /// (keyed by the stream's own id, or by an event's log position; the default: none). A rebuild folds
    /// the log in stream order (`StreamOrderBuilder`) and checks every other table for a row key written
    /// from two streams, whose row would then depend on the order of the log; naming a table here spares
    /// that check (a hash per row written, and writes that must find their keys new). Name a table only
    /// when no event can make another stream write the same key: an id a caller chooses (an appointment's,
    /// a photo's) is unique within its client's stream only.
    var tablesKeyedByStream: Set<String> { get }
    /// Whether `fold` does anything with `event` (the default: every event). An event a projection does not
    /// fold costs it nothing: no key, no state, no `fold` call (`keyedItems` leaves it out), so a key whose
    /// events are all left out gets no state. `fold` must leave the state, the rows and the pending keys
    /// untouched for every event this refuses. An event that did not decode is folded whatever this says
    /// (`foldBatch` then fails naming it).
    func folds(_ event: ClinicEvent) -> Bool
    /// The stream whose events alone make the fold state of `key`, when there is one (the default: nil): the
    /// inverse of `stateKey(for:)`. A stream-ordered rebuild writes no fold state for such a key (encoding and
    /// storing every client's states was ~15 % of a rebuild's CPU at 1M events); a batch that later meets the key
    /// folds its state again from that stream, up to the position the rebuild stopped at (`loadStates`,
    /// `refoldedStates`). A key without one has its state written by the rebuild.
    func stream(forKey key: String) -> EventStreamName?
    /// The state of a key before its first event.
    func initialState(for key: String) -> State
    /// Applies one event: updates the state, writes rows to `output`. Throw to refuse an event.
    func fold(_ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput)
        throws
    /// Rows that depend only on a key's state at the end of a batch, called once per key the batch
    /// touched after folding it (the default writes nothing). They must be upserts on the key, so
    /// that only the latest counts: a rebuild calls `finish` once per key, with its final state,
    /// when the state leaves its cache or at the end, instead of after every batch.
    func finish(_ state: State, key: String, into output: inout ProjectionOutput) throws
    /// The engine's fold of a batch over states held by place (the default implementation, which a
    /// projection does not replace). A requirement, so that each projection's conformance runs it
    /// specialized for its own `State`: a rebuild's builder is generic over the projection, and without
    /// it folded every event through witness tables and the state's value witnesses.
    func foldBatch(
        _ batch: ProjectionBatch, _ keyed: [(slot: Int, index: Int)], keys: [String], slots: inout [State?],
        into output: inout ProjectionOutput, finishing: Bool
    ) throws -> [String: Int]
    /// The batch's state keys and each keyed event's key place (the default implementation; a
    /// requirement, as `foldBatch` is, so that it runs specialized).
    func keyedItems(_ batch: ProjectionBatch) -> (keys: [String], keyed: [(slot: Int, index: Int)])
    /// Reads the stored fold states of `keys` from the state table, and names those a rebuild left to be folded
    /// again from their streams (the default implementation; a requirement, as `foldBatch` is, so that it runs
    /// specialized for `State`).
    func loadStates(_ keys: [String], schema: String, on connection: PostgresConnection) async throws
        -> StoredStates<State>
    /// Writes fold states to the state table (the default implementation; a requirement, as `loadStates`).
    func saveStates(_ states: [String: State], schema: String, on connection: PostgresConnection) async throws
    /// A fold state as the JSON its state table holds (the default implementation; a requirement, as
    /// `loadStates`): `StateJSON`, else `JSONEncoder`.
    func encodeState(_ state: State) throws -> Data
    /// A fold state from JSON `encodeState` wrote or its state table gave back (the default
    /// implementation; a requirement, as `loadStates`): `StoredEventJSON`, else `JSONDecoder`.
    func decodeState(_ json: Data) throws -> State
}

extension FoldingProjection {
    /// By default every table is checked (`tablesKeyedByStream`).
    public var tablesKeyedByStream: Set<String> { [] }

    /// By default no key names its stream: a rebuild writes every fold state.
    public func stream(forKey key: String) -> EventStreamName? { nil }

    /// The table holding each key's fold state.
    public var stateTable: String { name + "_state" }

    /// The fold-state table and every table with its primary key (`TableSpec.indexes` are `createIndexes`'), stored
    /// as `TableSpec.rowStorage` says.
    public func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await createStateTable(in: schema, on: connection)
        for table in tables {
            let columns = table.columns.map { "\(SQL.quoteIdentifier($0.name)) \($0.type)" }
            let key = table.primaryKey.map(SQL.quoteIdentifier).joined(separator: ", ")
            let ddl =
                "CREATE TABLE \(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table.name)) ("
                + (columns + ["PRIMARY KEY (\(key))"]).joined(separator: ", ") + ") " + TableSpec.rowStorage
            try await connection.executeScript(ddl)
        }
    }

    /// The table holding each key's fold state (`stateTable`), in `schema`: its JSON as `text`, which the server
    /// stores as it comes (a `json` column parses every state it is given, ~0.3 s of server CPU for portfolio's
    /// states alone in a rebuild of 1M events; the engine writes the states and reads them back, and nothing
    /// queries into them). Rows are stored as `TableSpec.rowStorage` says.
    public func createStateTable(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.executeScript(
            "CREATE TABLE \(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(stateTable)) "
                + "(key text PRIMARY KEY, state text NOT NULL) " + TableSpec.rowStorage)
    }

    /// Every table's `TableSpec.indexes`.
    public func createIndexes(in schema: String, on connection: PostgresConnection) async throws {
        for table in tables {
            for (index, columns) in table.indexes.enumerated() {
                try await connection.executeScript(
                    "CREATE INDEX \(SQL.quoteIdentifier("\(table.name)_i\(index)")) ON "
                        + "\(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table.name)) (\(columns))")
            }
        }
    }

    /// Rewrites every table that declares a `TableSpec.physicalOrder` in that order (`CLUSTER`), except those in
    /// `inOrder`, whose rows are in that order already: they are only marked as clustered on that index, as
    /// `CLUSTER` marks them (so a later `CLUSTER` of the table uses it).
    public func orderLoadedRows(in schema: String, inOrder: Set<String>, on connection: PostgresConnection)
        async throws
    {
        for table in tables {
            let index: String? =
                switch table.physicalOrder {
                case nil: nil
                case .primaryKey: "\(table.name)_pkey"
                case .index(let index): "\(table.name)_i\(index)"
                }
            guard let index else { continue }
            let name: SQL = "\(identifier: schema).\(identifier: table.name)"
            if inOrder.contains(table.name) {
                try await connection.execute("ALTER TABLE \(fragment: name) CLUSTER ON \(identifier: index)")
            } else {
                try await connection.execute("CLUSTER \(fragment: name) USING \(identifier: index)")
            }
        }
    }

    /// Rows that depend only on a key's state at the end of a batch (called once per key the batch
    /// touched, after folding it; the default writes nothing). Work that `fold` would repeat for every
    /// event of the key, though only the last row survives, belongs here.
    public func finish(_ state: State, key: String, into output: inout ProjectionOutput) throws {}

    /// Every event (a projection that ignores some says which it folds).
    public func folds(_ event: ClinicEvent) -> Bool { true }

    public func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        let (keys, keyed) = keyedItems(batch)
        guard !keyed.isEmpty else { return }
        let stored = try await loadStates(keys, schema: schema, on: connection)
        if let refold = stored.toRefold {
            // (Folded by the runner between transactions, `refold`, and the batch applied again.)
            throw FoldStatesToRefold(projection: name, keys: refold.keys, upTo: refold.upTo)
        }
        var states = stored.states
        var output = ProjectionOutput(tables: tables)
        try foldBatch(batch, keyed, keys: keys, states: &states, into: &output)
        try await saveStates(states, schema: schema, on: connection)
        try await writeRows(output, schema: schema, on: connection)
    }

    /// A rebuild folds the log in stream order (`StreamOrderBuilder`), or in log order keeping a bounded number
    /// of fold states in memory (`FoldingBuilder`) when the projection cannot be folded in stream order.
    public func makeBuilder(in schema: String, on connection: PostgresConnection) async throws
        -> any ProjectionBuilder
    {
        StreamOrderBuilder(projection: self, schema: schema)
    }

    /// Runs the pure fold over events in memory (no database): for tests and benchmarks.
    public func foldInMemory(_ batch: ProjectionBatch, states: inout [String: State]) throws -> ProjectionOutput {
        var output = ProjectionOutput(tables: tables)
        let (keys, keyed) = keyedItems(batch)
        try foldBatch(batch, keyed, keys: keys, states: &states, into: &output)
        return output
    }

    /// The keys of the batch's events that have one and that the projection folds (`folds`), in first-seen
    /// order, and each such event's key (as its place in `keys`) with its index in the batch. (Places and
    /// indices, not key strings or copies of the items: a fold then hashes each key once per batch, not per
    /// event, and copying an item retains every reference it holds.)
    public func keyedItems(_ batch: ProjectionBatch) -> (keys: [String], keyed: [(slot: Int, index: Int)]) {
        var keys: [String] = []
        var keyed: [(slot: Int, index: Int)] = []
        keyed.reserveCapacity(batch.items.count)
        var slots: [String: Int] = [:]
        // The previous keyed event's key and slot: in a stream-ordered batch most events have their predecessor's
        // key, found by comparing the text rather than hashing it.
        var previous: (key: String, slot: Int)?
        for index in batch.items.indices {
            let key = batch.items[index].withContents { recorded, decoded -> String? in
                if case .success(let event) = decoded, !folds(event) { return nil }
                return stateKey(for: recorded.stream)
            }
            guard let key else { continue }
            if let previous, previous.key == key {
                keyed.append((previous.slot, index))
            } else if let slot = slots[key] {
                keyed.append((slot, index))
                previous = (key, slot)
            } else {
                slots[key] = keys.count
                previous = (key, keys.count)
                keyed.append((keys.count, index))
                keys.append(key)
            }
        }
        return (keys, keyed)
    }

    /// Folds `keyed` into `states` (a missing key starts from `initialState`), then, if `finishing`,
    /// calls `finish` once per key; a refusal becomes a `ProjectionFailure` naming the event (for
    /// `finish`, the key's last event in the batch). Returns the index in `batch` of each key's last event.
    @discardableResult
    func foldBatch(
        _ batch: ProjectionBatch, _ keyed: [(slot: Int, index: Int)], keys: [String], states: inout [String: State],
        into output: inout ProjectionOutput, finishing: Bool = true
    ) throws -> [String: Int] {
        var slots = keys.map { states.removeValue(forKey: $0) }
        defer {
            for (slot, key) in keys.enumerated() {
                if let state = slots[slot] { states[key] = state }
            }
        }
        return try foldBatch(batch, keyed, keys: keys, slots: &slots, into: &output, finishing: finishing)
    }

    /// `foldBatch` over the states of `keys` by place (`slots[n]` is the state of `keys[n]`, nil before
    /// its first event): no key is hashed while folding.
    public func foldBatch(
        _ batch: ProjectionBatch, _ keyed: [(slot: Int, index: Int)], keys: [String], slots: inout [State?],
        into output: inout ProjectionOutput, finishing: Bool
    ) throws -> [String: Int] {
        var lastIndex = [Int](repeating: -1, count: keys.count)
        for (slot, index) in keyed {
            // Lent by the shared item, not copied out of it (`withContents`).
            try batch.items[index].withContents { recorded, decoded in
                guard case .success(let event) = decoded else {
                    _ = try batch.items[index].clinicEvent(for: name)  // throws the ProjectionFailure naming the event
                    return
                }
                // Taken out of its slot (no copy left behind) while it is folded, so its arrays and
                // dictionaries are not copied on write.
                var state = slots[slot].take() ?? initialState(for: keys[slot])
                do {
                    try fold(&state, event, recorded: recorded, into: &output)
                } catch let failure as ProjectionFailure {
                    throw failure
                } catch {
                    throw ProjectionFailure(projection: name, event: recorded, reason: String(describing: error))
                }
                slots[slot] = consume state  // moved back, not copied (a retain per member, per event)
                lastIndex[slot] = index
            }
        }
        var lastEvents: [String: Int] = [:]
        lastEvents.reserveCapacity(keys.count)
        for (slot, key) in keys.enumerated() where lastIndex[slot] >= 0 {
            lastEvents[key] = lastIndex[slot]
            guard finishing, let state = slots[slot] else { continue }
            try finishKey(state, key: key, lastEvent: batch.items[lastIndex[slot]].recorded, into: &output)
        }
        return lastEvents
    }

    /// `finish` for one key; a refusal names `lastEvent`.
    func finishKey(_ state: State, key: String, lastEvent: RecordedEvent, into output: inout ProjectionOutput) throws {
        do {
            try finish(state, key: key, into: &output)
        } catch let failure as ProjectionFailure {
            throw failure
        } catch {
            throw ProjectionFailure(projection: name, event: lastEvent, reason: String(describing: error))
        }
    }

    /// Writes the batch's rows, table by table, through the one `RowWriter` (`fresh`: into a
    /// rebuild's scratch schema, which only the rebuild writes).
    func writeRows(_ output: ProjectionOutput, schema: String, on connection: PostgresConnection, fresh: Bool = false)
        async throws
    {
        for table in tables {
            try await RowWriter.write(
                output.keyedRows(for: table.name), to: table, schema: schema, on: connection, fresh: fresh)
        }
    }

    public func loadStates(_ keys: [String], schema: String, on connection: PostgresConnection) async throws
        -> StoredStates<State>
    {
        // The keys, and the rebuild's mark (`refoldMark`) with them.
        let array =
            "["
            + (keys + [Self.refoldMark]).map { key -> String in
                var text = ""
                RowValue.text(key).appendJSON(to: &text)
                return text
            }.joined(separator: ",") + "]"
        let rows = try await connection.query(
            """
            SELECT s.key, s.state::text FROM \(identifier: schema).\(identifier: stateTable) s
            WHERE s.key IN (SELECT jsonb_array_elements_text(\(JSONText(array))::jsonb))
            """)
        var stored = StoredStates<State>()
        var mark: Int64?
        for row in rows {
            let (key, json) = try row.decode((String, JSONText).self)
            if key == Self.refoldMark {
                guard let position = Int64(json.string) else {
                    throw EngineError.badRefoldMark(table: stateTable, text: json.string)
                }
                mark = position
            } else {
                stored.states[key] = try decodeState(json.data)
            }
        }
        if let mark {
            let left = keys.filter { stored.states[$0] == nil && stream(forKey: $0) != nil }
            if !left.isEmpty { stored.toRefold = (left, mark) }
        }
        return stored
    }

    /// The key under which a stream-ordered rebuild that left fold states to be folded again
    /// (`stream(forKey:)`) stores the position it folded the log up to, in the state table (no fold state has an
    /// empty key: a stream name is never empty).
    static var refoldMark: String { "" }

    /// The fold states of `keys` (each named by `stream(forKey:)`) as their streams' events up to `position`
    /// fold them; a key whose stream has no event the projection folds up to there has none. Read from `store`
    /// (its pooled connections, personal data opened as for any read) `FoldingBuilderDefaults.chunk` streams at
    /// a time; the rows the fold makes are dropped (the rebuild wrote them).
    public func refoldedStates(_ keys: [String], upTo position: Int64, from store: EventStore) async throws
        -> [String: State]
    {
        let wanted = Set(keys)
        var states: [String: State] = [:]
        for chunk in keys.chunks(of: FoldingBuilderDefaults.chunk) {
            let streams = chunk.compactMap { stream(forKey: $0) }
            let batch = ProjectionBatch(events: try await store.readStreams(streams, upTo: position))
            let (batchKeys, keyed) = keyedItems(batch)
            var folded: [String: State] = [:]
            var output = ProjectionOutput(tables: tables)
            try foldBatch(batch, keyed, keys: batchKeys, states: &folded, into: &output, finishing: false)
            for (key, state) in folded where wanted.contains(key) { states[key] = state }
        }
        return states
    }

    /// Folds the states `request` names from their streams (`refoldedStates`) and stores them, each key's state or,
    /// for a key whose stream has nothing to fold up to the mark, its initial state (so that the batch applied
    /// again finds every key it folds). Stored only while the state table still holds the same mark, and only for
    /// keys it does not hold: a rebuild swapped in meanwhile, or another runner that stored the key first, wins.
    public func refold(_ request: FoldStatesToRefold, in schema: String, from store: EventStore) async throws {
        for chunk in request.keys.chunks(of: FoldingBuilderDefaults.chunk) {
            // (`refoldedStates` reads a chunk's streams in one statement: folded and stored chunk by chunk.)
            let states = try await refoldedStates(Array(chunk), upTo: request.upTo, from: store)
            // `[[key, state], …]` as `json`, whose members are read back as the text they were written in.
            var document: [UInt8] = [UInt8(ascii: "[")]
            for (index, key) in chunk.enumerated() {
                if index > 0 { document.append(UInt8(ascii: ",")) }
                document.append(UInt8(ascii: "["))
                JSONString.appendQuoted(key, to: &document)
                document.append(UInt8(ascii: ","))
                document.append(contentsOf: try encodeState(states[key] ?? initialState(for: key)))
                document.append(UInt8(ascii: "]"))
            }
            document.append(UInt8(ascii: "]"))
            let table: SQL = "\(identifier: schema).\(identifier: stateTable)"
            // (One statement: the mark is checked as the rows go in.)
            _ = try await store.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO \(fragment: table) (key, state)
                    SELECT e->>0, (e->1)::text FROM json_array_elements(\(JSONText(Data(document)))::json) e
                    WHERE EXISTS (SELECT 1 FROM \(fragment: table) m
                                  WHERE m.key = \(Self.refoldMark) AND m.state = \(String(request.upTo)))
                    ON CONFLICT (key) DO NOTHING
                    """)
            }
        }
    }

    public func saveStates(_ states: [String: State], schema: String, on connection: PostgresConnection)
        async throws
    {
        var encoded: [(key: String, json: Data)] = []
        encoded.reserveCapacity(states.count)
        for (key, state) in states { encoded.append((key, try encodeState(state))) }
        try await saveEncodedStates(encoded, schema: schema, on: connection)
    }

    /// Writes fold states already encoded (`encodeState`) to the state table, in key order, up to
    /// `FoldingBuilderDefaults.chunk` per statement. `fresh`: into a rebuild's scratch table, none of whose keys
    /// is stored yet (a COPY straight into the table); `strict`: a key stored already throws
    /// `RowWriter.KeyExists` (a stream-ordered rebuild writes each state once).
    func saveEncodedStates(
        _ states: [(key: String, json: Data)], schema: String, on connection: PostgresConnection, fresh: Bool = false,
        strict: Bool = false
    ) async throws {
        let rows: [Row] = states.sorted { $0.key < $1.key }.map {
            ["key": .text($0.key), "state": .text(String(decoding: $0.json, as: UTF8.self))]
        }
        // (A state table made before 2026-12-07 has a `json` column: binary COPY sends both as the same text.)
        let spec = TableSpec(
            name: stateTable, columns: [.init("key", "text"), .init("state", "text")], primaryKey: ["key"],
            mode: fresh ? .insert : .upsert)
        for chunk in rows.chunks(of: FoldingBuilderDefaults.chunk) {
            try await RowWriter.write(
                Array(chunk), to: spec, schema: schema, on: connection, fresh: fresh, strict: strict)
        }
    }

    public func encodeState(_ state: State) throws -> Data {
        // The fast writer when it applies; else `JSONEncoder` (`StateJSON`).
        if let json = try? StateJSON.encode(state) { return json }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(state)
    }

    public func decodeState(_ json: Data) throws -> State {
        // The fast path when it applies; else `JSONDecoder`, which also gives every error (`StoredEventJSON`).
        if let state = try? StoredEventJSON.decode(State.self, from: json) { return state }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(State.self, from: json)
    }
}

/// A batch's stored fold states (`FoldingProjection.loadStates`).
public struct StoredStates<State: Sendable>: Sendable {
    /// The states the state table holds, by key.
    public var states: [String: State] = [:]
    /// The keys without a stored state that a rebuild left to be folded again from their streams, and the position
    /// up to which (nil: none).
    public var toRefold: (keys: [String], upTo: Int64)?
}

/// A live batch met fold states a stream-ordered rebuild left to be folded again from their streams
/// (`FoldingProjection.stream(forKey:)`): the runner folds and stores them (`Projection.refold`) between
/// transactions, since reading streams takes connections from the pool its transactions may all hold, and applies
/// the batch again.
public struct FoldStatesToRefold: Error, Sendable, CustomStringConvertible {
    public var projection: String
    /// The keys whose states the state table does not hold.
    public var keys: [String]
    /// The position the rebuild folded the log up to.
    public var upTo: Int64

    public init(projection: String, keys: [String], upTo: Int64) {
        self.projection = projection
        self.keys = keys
        self.upTo = upTo
    }

    public var description: String {
        "projection \(projection): \(keys.count) fold states to fold again from their streams, up to position \(upTo)"
    }
}
