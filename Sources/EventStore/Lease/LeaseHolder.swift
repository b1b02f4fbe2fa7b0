import Postgres

/// Exclusive, named leases between the processes that share a database: session-level advisory
/// locks held on one connection of their own.
///
/// A lease is held until it is released or its session ends. When the holding process dies, even
/// by `kill -9`, the kernel closes its socket, PostgreSQL ends the session at once and every lease
/// it held is free for another process to take. When the connection breaks under a living
/// process, its leases are gone too: `verify` notices and answers without them, and each owner
/// must stop the work its leases covered before taking them again.
public actor LeaseHolder {
    /// The first key of every lease's advisory lock (`'ST'`), so they stay apart from other locks.
    public static let namespace: Int32 = 0x5354

    private let configuration: PostgresConfiguration
    private var connection: PostgresConnection?
    /// The connection being opened: callers arriving meanwhile wait for it instead of opening another.
    private var connecting: Task<PostgresConnection, any Error>?
    private var held: Set<String> = []

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
    }

    /// The leases this holder has now (as far as it knows; `verify` makes sure).
    public var leases: Set<String> { held }

    /// Takes the lease `name` unless another session holds it. True when this holder has it.
    public func acquire(_ name: String) async throws -> Bool {
        if held.contains(name) { return true }
        let connection = try await connect()
        do {
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(\(Self.namespace), hashtext(\(name)))")
            guard try rows.first?.decode(Bool.self) == true else { return false }
            held.insert(name)
            return true
        } catch {
            await lost(connection)
            throw error
        }
    }

    /// Gives the lease up (after the work it covered has stopped).
    public func release(_ name: String) async {
        guard held.remove(name) != nil, let connection else { return }
        do {
            try await connection.query("SELECT pg_advisory_unlock(\(Self.namespace), hashtext(\(name)))")
        } catch {
            // A broken connection released it anyway.
            await lost(connection)
        }
    }

    /// The leases this holder really has: one round trip checks the connection they live on.
    /// When it broke, the database released them all and the answer is empty, for every owner
    /// that asks (each checks its own leases in the answer), until they are taken again.
    public func verify() async -> Set<String> {
        guard let connection else { return held }
        do {
            try await connection.query("SELECT 1")
        } catch {
            await lost(connection)
        }
        return held
    }

    /// Releases every lease by ending the session.
    public func close() async {
        held.removeAll()
        let connection = self.connection
        self.connection = nil
        await connection?.close()
    }

    /// The leases' one connection, opened once however many callers ask at the same time.
    ///
    /// Opening suspends, and an actor runs other calls meanwhile: two callers opening a connection
    /// each would leave the first one's leases on a session that is then dropped (its locks released
    /// while `held` still named them, or the reverse). Anything held on an earlier session went with
    /// it: `lost` and `close` emptied `held` when they dropped that session.
    private func connect() async throws -> PostgresConnection {
        if let connection { return connection }
        if let connecting { return try await connecting.value }
        let task = Task { () async throws -> PostgresConnection in
            defer { self.connecting = nil }
            let connection = try await PostgresConnection.connect(self.configuration)
            self.connection = connection
            return connection
        }
        connecting = task
        return try await task.value
    }

    private func lost(_ connection: PostgresConnection) async {
        guard self.connection === connection else { return }
        self.connection = nil
        held.removeAll()
        await connection.close()
    }
}
