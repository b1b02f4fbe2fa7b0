import Clinic
import EventStore
import Foundation
import Postgres

/// The blind index behind client search: each client's name, e-mail and phone as keyed hashes of
/// their normalised terms (`SearchTerms`, `BlindIndexKey`), never the text itself.
///
/// Table `search_clients` (one row per registered client; `terms` the space-separated hashes, with a GIN
/// index over them). A forgotten client's row is emptied when the erasure is appended, and a rebuild
/// reads their registration as erased, so they never come back. Rebuildable like every projection;
/// a new master key needs a rebuild (`stipple rebuild --projection search`).
public struct SearchProjection: FoldingProjection {
    public let name = "search"
    /// v2: only the events it `folds` make a client's state (a client with none of them has no state row).
    /// v3: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 3
    let key: BlindIndexKey

    /// The projection hashing with `key`.
    public init(key: BlindIndexKey) {
        self.key = key
    }

    /// A client's terms (hashes), kept to know whether a row changes.
    public struct State: Codable, Sendable {
        public var terms: [String] = []
        public var erased = false
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "search_clients",
                columns: [.init("client_id", "uuid NOT NULL"), .init("terms", "text NOT NULL")],
                primaryKey: ["client_id"], mode: .upsert)
        ]
    }

    /// The fold-state table and `search_clients`, without the GIN index the search needs (which `TableSpec`
    /// indexes, plain B-trees, cannot express): `createIndexes` adds it.
    public func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await createStateTable(in: schema, on: connection)
        try await connection.execute(
            "CREATE TABLE \(identifier: schema).search_clients (client_id uuid NOT NULL PRIMARY KEY, terms text NOT NULL)"
        )
    }

    /// The GIN index over `search_clients`' terms.
    public func createIndexes(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.executeScript(
            "CREATE INDEX search_clients_terms ON \(SQL.quoteIdentifier(schema)).search_clients "
                + "USING gin (string_to_array(terms, ' '))")
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == "client" ? stream.id : nil
    }

    /// The client's stream: `client-` and the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(category: "client", id: key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State() }

    /// Registrations and forgetting: nothing else changes a client's terms.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .client(.registered), .client(.forgotten): true
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    ) throws {
        guard case .client(let clientEvent) = event, let client = recorded.stream.id else { return }
        switch clientEvent {
        case .registered(let registered):
            let personal = registered.personal
            if personal.isErased || state.erased {
                state.terms = []
            } else {
                state.terms = SearchTerms.index(
                    name: personal.fullName, email: personal.contact.email, phone: personal.contact.phone
                ).map(key.hash).sorted()
            }
        case .forgotten:
            state.erased = true
            state.terms = []
        default:
            return
        }
        try output.write(
            "search_clients", ["client_id": .text(client), "terms": .text(state.terms.joined(separator: " "))])
    }
}
