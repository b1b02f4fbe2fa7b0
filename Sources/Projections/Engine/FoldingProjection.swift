import Clinic
import EventStore
import Foundation
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
    /// The key of the fold state an event belongs to, or nil when the projection ignores it.
    func stateKey(for event: RecordedEvent) -> String?
    /// The state of a key before its first event.
    func initialState(for key: String) -> State
    /// Applies one event: updates the state, writes rows to `output`. Throw to refuse an event.
    func fold(_ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput)
        throws
}

extension FoldingProjection {
    /// The table holding each key's fold state.
    public var stateTable: String { name + "_state" }

    public func createTables(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "CREATE TABLE \(identifier: schema).\(identifier: stateTable) (key text PRIMARY KEY, state jsonb NOT NULL)")
        for table in tables {
            let columns = table.columns.map { "\(SQL.quoteIdentifier($0.name)) \($0.type)" }
            let key = table.primaryKey.map(SQL.quoteIdentifier).joined(separator: ", ")
            let ddl = "CREATE TABLE \(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table.name)) ("
                + (columns + ["PRIMARY KEY (\(key))"]).joined(separator: ", ") + ")"
            try await connection.executeScript(ddl)
            for (index, columns) in table.indexes.enumerated() {
                try await connection.executeScript(
                    "CREATE INDEX \(SQL.quoteIdentifier("\(table.name)_i\(index)")) ON "
                        + "\(SQL.quoteIdentifier(schema)).\(SQL.quoteIdentifier(table.name)) (\(columns))")
            }
        }
    }

    public func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        var keys: [String] = []
        var keyed: [(String, ProjectionBatch.Item)] = []
        var seen = Set<String>()
        for item in batch.items {
            guard let key = stateKey(for: item.recorded) else { continue }
            keyed.append((key, item))
            if seen.insert(key).inserted { keys.append(key) }
        }
        guard !keyed.isEmpty else { return }
        var states = try await loadStates(keys, schema: schema, on: connection)
        var output = ProjectionOutput(tables: tables)
        for (key, item) in keyed {
            let event = try item.clinicEvent(for: name)
            var state = states[key] ?? initialState(for: key)
            do {
                try fold(&state, event, recorded: item.recorded, into: &output)
            } catch let failure as ProjectionFailure {
                throw failure
            } catch {
                throw ProjectionFailure(projection: name, event: item.recorded, reason: String(describing: error))
            }
            states[key] = state
        }
        try await saveStates(states, schema: schema, on: connection)
        for table in tables {
            try await BulkWriter.write(output.rows(for: table.name), to: table, schema: schema, on: connection)
        }
    }

    /// Runs the pure fold over events in memory (no database): for tests and benchmarks.
    public func foldInMemory(_ batch: ProjectionBatch, states: inout [String: State]) throws -> ProjectionOutput {
        var output = ProjectionOutput(tables: tables)
        for item in batch.items {
            guard let key = stateKey(for: item.recorded) else { continue }
            var state = states[key] ?? initialState(for: key)
            try fold(&state, try item.clinicEvent(for: name), recorded: item.recorded, into: &output)
            states[key] = state
        }
        return output
    }

    private func loadStates(_ keys: [String], schema: String, on connection: PostgresConnection) async throws
        -> [String: State]
    {
        let array = "[" + keys.map { key -> String in
            var text = ""
            RowValue.text(key).appendJSON(to: &text)
            return text
        }.joined(separator: ",") + "]"
        let rows = try await connection.query(
            """
            SELECT s.key, s.state::text FROM \(identifier: schema).\(identifier: stateTable) s
            WHERE s.key IN (SELECT jsonb_array_elements_text(\(JSONText(array))::jsonb))
            """)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var states: [String: State] = [:]
        for row in rows {
            states[try row.decode(String.self, at: 0)] = try decoder.decode(
                State.self, from: try row.decode(JSONText.self, at: 1).data)
        }
        return states
    }

    private func saveStates(_ states: [String: State], schema: String, on connection: PostgresConnection) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var rows: [Row] = []
        rows.reserveCapacity(states.count)
        for (key, state) in states.sorted(by: { $0.key < $1.key }) {
            rows.append(["key": .text(key), "state": .json(try encoder.encode(state))])
        }
        let spec = TableSpec(
            name: stateTable, columns: [.init("key", "text"), .init("state", "jsonb")], primaryKey: ["key"],
            mode: .upsert)
        try await BulkWriter.write(rows, to: spec, schema: schema, on: connection)
    }
}
