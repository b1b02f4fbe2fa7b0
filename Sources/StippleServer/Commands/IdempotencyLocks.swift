import Foundation
import Postgres

/// Session-level advisory locks on one connection of their own: the owner of each pending
/// `Idempotency-Key` of this process holds one, and PostgreSQL releases them all the moment that
/// session ends, whether the server was killed, the connection cut or the database restarted.
///
/// Advisory locks are re-entrant within a session, so the keys held by this process are also
/// tracked here: a second attempt with a held key is refused like one from another process.
actor IdempotencyLocks {
    private let configuration: PostgresConfiguration
    private var connection: PostgresConnection?
    /// Bumped whenever the session is replaced: locks taken on an earlier one are already gone.
    private var session = 0
    private var held: [Int64: Int] = [:]

    init(configuration: PostgresConfiguration) {
        self.configuration = configuration
    }

    /// Takes the lock for `id` if nobody (in this or any other process) holds it.
    func tryAcquire(_ id: Int64) async throws -> Bool {
        if let owner = held[id], owner == session { return false }
        let connection = try await liveConnection()
        let rows: QueryResult
        do {
            rows = try await connection.query("SELECT pg_try_advisory_lock(\(id))")
        } catch let error as PostgresError where error.isConnectionProblem {
            replaceSession()
            throw error
        }
        guard try rows.first?.decode(Bool.self) == true else { return false }
        held[id] = session
        return true
    }

    /// Releases the lock for `id` (nothing to do when its session already ended).
    func release(_ id: Int64) async {
        guard let owner = held.removeValue(forKey: id), owner == session, let connection else { return }
        do {
            try await connection.query("SELECT pg_advisory_unlock(\(id))")
        } catch {
            // The session is gone, and every lock with it.
            replaceSession()
        }
    }

    private func liveConnection() async throws -> PostgresConnection {
        if let connection, await connection.isAlive() { return connection }
        replaceSession()
        let fresh = try await PostgresConnection.connect(configuration)
        connection = fresh
        return fresh
    }

    private func replaceSession() {
        if let old = connection { Task { await old.close() } }
        connection = nil
        session += 1
        held = held.filter { $0.value == session }
    }
}
