import ClinicService
import Crypto
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import TextCodecs

/// A reply kept for `Idempotency-Key` replays: status and body bytes.
struct Reply: Sendable {
    var status: Int
    var body: Data

    var response: Response {
        JSONResponse.data(
            body, status: HTTPResponse.Status(code: status),
            contentType: status >= 400 ? "application/problem+json" : "application/json")
    }
}

/// One event a command wrote, as its answer lists it.
struct WrittenEvent: Sendable {
    var id: UUID
    var stream: String
    var version: Int
    var position: Int64
    var type: String
}

/// Remembers the first answer to each `Idempotency-Key` (per API key) in `idempotency_keys`, and
/// survives crashes of the server or the database in between.
///
/// The attempt that runs a key holds a session-level advisory lock for it (`IdempotencyLocks`),
/// so a retry while it runs is a 409, and a retry after it died (killed server, cut connection,
/// restarted database) takes over at once. The command's events carry the key in their metadata,
/// written in the append's own transaction (`Schema/0011`): a retry that takes over a key whose
/// answer was never kept first looks for those events and, if the command was appended, answers
/// with them (`Idempotent-Replayed: true`) instead of running it again. A retry with the same key
/// and the same request gets the kept answer; the same key with another request is a 422. A 5xx
/// is not kept, so the retry runs again (unless its events are found).
struct IdempotencyStore: Sendable {
    let pool: ConnectionPool
    let locks: IdempotencyLocks

    init(pool: ConnectionPool) {
        self.pool = pool
        self.locks = IdempotencyLocks(configuration: pool.configuration)
    }

    func run(
        key: String?, caller: Caller, method: String, path: String, body: Data,
        recover: @Sendable ([WrittenEvent]) throws -> Reply,
        _ work: @Sendable () async throws -> Reply
    ) async throws -> Response {
        guard let key, let apiKey = caller.key?.id else { return try await Self.capture(work).response }
        guard (1...255).contains(key.utf8.count), !key.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw Problem.badRequest("Idempotency-Key must be 1–255 characters", field: "Idempotency-Key")
        }
        var material = Data("\(method) \(path)\n".utf8)
        material.append(body)
        let fingerprint = Hex.encode(Array(SHA256.hash(data: material)))
        let lock = Self.lockID(apiKey: apiKey, key: key)
        guard try await locks.tryAcquire(lock) else {
            var busy = Problem.conflict("a request with Idempotency-Key \(key) is still being processed; retry shortly")
            busy.retryAfter = 1
            throw busy
        }
        do {
            let response = try await owned(
                key: key, apiKey: apiKey, fingerprint: fingerprint, recover: recover, work)
            await locks.release(lock)
            return response
        } catch {
            await locks.release(lock)
            throw error
        }
    }

    /// With the key's lock held: answer from the record, from the events, or by running `work`.
    private func owned(
        key: String, apiKey: UUID, fingerprint: String, recover: @Sendable ([WrittenEvent]) throws -> Reply,
        _ work: @Sendable () async throws -> Reply
    ) async throws -> Response {
        let inserted = try await pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO idempotency_keys (key, api_key_id, fingerprint, status)
                VALUES (\(key), \(apiKey), \(fingerprint), 'pending') ON CONFLICT DO NOTHING
                """)
        }
        if inserted == 0 {
            let rows = try await pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT fingerprint, status, response_status, response_body FROM idempotency_keys
                    WHERE key = \(key) AND api_key_id = \(apiKey)
                    """)
            }
            guard let row = rows.first else { throw Problem.conflict("Idempotency-Key \(key) is being reset; retry") }
            let (storedFingerprint, state, status, body) = try row.decode((String, String, Int?, String?).self)
            guard storedFingerprint == fingerprint else {
                throw Problem(
                    .unprocessableContent, kind: "idempotency-key-reused", title: "Idempotency-Key reused",
                    detail: "Idempotency-Key \(key) was already used for a different request")
            }
            if state == "done", let status, let body {
                return Self.replayed(Reply(status: status, body: Data(body.utf8)))
            }
            // Pending, and its owner is gone (we hold the lock): did it append before dying?
            let written = try await events(key: key, apiKey: apiKey)
            if !written.isEmpty {
                let reply = try recover(written)
                try await keep(reply, key: key, apiKey: apiKey)
                return Self.replayed(reply)
            }
        }
        let reply = try await Self.capture(work)
        try await keep(reply, key: key, apiKey: apiKey)
        return reply.response
    }

    private func keep(_ reply: Reply, key: String, apiKey: UUID) async throws {
        let text = String(decoding: reply.body, as: UTF8.self)
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE idempotency_keys SET status = 'done', response_status = \(reply.status), response_body = \(text)
                WHERE key = \(key) AND api_key_id = \(apiKey)
                """)
        }
    }

    /// The events an earlier attempt with this key appended, in log order.
    private func events(key: String, apiKey: UUID) async throws -> [WrittenEvent] {
        let apiKeyText = apiKey.uuidString.lowercased()
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT event_id, stream, version, position, type FROM events
                WHERE metadata -> 'extra' ->> 'api_key_id' = \(apiKeyText)
                  AND metadata -> 'extra' ->> 'idempotency_key' = \(key)
                  AND metadata -> 'extra' ? 'idempotency_key'
                ORDER BY position
                """)
        }
        return try rows.map { row in
            let (id, stream, version, position, type) = try row.decode((UUID, String, Int, Int64, String).self)
            return WrittenEvent(id: id, stream: stream, version: version, position: position, type: type)
        }
    }

    private static func replayed(_ reply: Reply) -> Response {
        var response = reply.response
        response.headers[.idempotentReplayed] = "true"
        return response
    }

    /// The advisory lock id of a key: 64 bits of SHA-256 over the API key id and the key.
    static func lockID(apiKey: UUID, key: String) -> Int64 {
        let digest = Array(SHA256.hash(data: Data("idempotency\n\(apiKey.uuidString.lowercased())\n\(key)".utf8)))
        return digest.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// Runs `work`, turning client errors (4xx problems) into replies so they are kept too.
    static func capture(_ work: @Sendable () async throws -> Reply) async throws -> Reply {
        do {
            return try await work()
        } catch let problem as Problem where problem.status.code < 500 {
            return Reply(status: Int(problem.status.code), body: problem.body)
        }
    }
}
