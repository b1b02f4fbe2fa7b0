import Postgres

/// Exclusive, named leases between the processes that share a database: session-level advisory
/// locks held on one connection of their own.
///
/// A lease is held until it is released or its session ends. When the holding process dies, even
/// by `kill -9`, the kernel closes its socket, PostgreSQL ends the session at once and every lease
/// it held is free for another process to take. When the connection breaks under a living
/// process, its leases are gone too: `verify` notices, forgets them, and the owner must stop the
/// work they covered before taking them again.
public actor LeaseHolder {
    /// The first key of every lease's advisory lock (`'ST'`), so they stay apart from other locks.
    public static let namespace: Int32 = 0x5354

    private let configuration: PostgresConfiguration
    private var connection: PostgresConnection?
    private var held: Set<String> = []
    /// Leases were lost since the last `verify`.
    private var broken = false

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
            guard try rows.first?.decode(Bool.self, at: 0) == true else { return false }
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

    /// True when the connection is still there (one round trip), so every lease this holder
    /// believes it has, it has. False when it broke: every lease is forgotten (the database
    /// released them), and the work they covered must stop.
    public func verify() async -> Bool {
        if broken {
            broken = false
            return false
        }
        guard let connection else { return true }
        do {
            try await connection.query("SELECT 1")
            return true
        } catch {
            await lost(connection)
            broken = false
            return false
        }
    }

    /// Releases every lease by ending the session.
    public func close() async {
        held.removeAll()
        let connection = self.connection
        self.connection = nil
        await connection?.close()
    }

    private func connect() async throws -> PostgresConnection {
        if let connection { return connection }
        let connection = try await PostgresConnection.connect(configuration)
        // Anything held on an earlier session went with it.
        held.removeAll()
        self.connection = connection
        return connection
    }

    private func lost(_ connection: PostgresConnection) async {
        guard self.connection === connection else { return }
        self.connection = nil
        if !held.isEmpty { broken = true }
        held.removeAll()
        await connection.close()
    }
}
