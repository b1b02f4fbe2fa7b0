import ClinicService
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

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

/// Remembers the first answer to each `Idempotency-Key` (per API key) in `idempotency_keys`.
///
/// The first request inserts a `pending` row, runs, and stores its answer; a retry with the
/// same key and the same request gets that answer again (`Idempotent-Replayed: true`) and
/// appends nothing. The same key with a different request is a 422; a retry while the first
/// is still running is a 409 (after 5 minutes without an answer the first is presumed dead
/// and a retry runs again). A 5xx is not kept, so the retry runs again.
struct IdempotencyStore: Sendable {
    let pool: ConnectionPool

    func run(
        key: String?, caller: Caller, method: String, path: String, body: Data,
        _ work: @Sendable () async throws -> Reply
    ) async throws -> Response {
        guard let key, let apiKey = caller.key?.id else { return try await Self.capture(work).response }
        guard (1...255).contains(key.utf8.count), !key.contains(where: { $0.isNewline }) else {
            throw Problem.badRequest("Idempotency-Key must be 1–255 characters", field: "Idempotency-Key")
        }
        var material = Data("\(method) \(path)\n".utf8)
        material.append(body)
        let fingerprint = APIKeyStore.hex(Array(SHA256.hash(data: material)))
        let inserted = try await pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO idempotency_keys (key, api_key_id, fingerprint, status)
                VALUES (\(key), \(apiKey), \(fingerprint), 'pending') ON CONFLICT DO NOTHING
                """)
        }
        // A first request that died without answering (a crash) leaves a stale pending row: take it over.
        var owned = inserted > 0
        if !owned {
            owned =
                try await pool.withConnection { connection in
                    try await connection.execute(
                        """
                        UPDATE idempotency_keys SET created_at = clock_timestamp()
                        WHERE key = \(key) AND api_key_id = \(apiKey) AND fingerprint = \(fingerprint)
                          AND status = 'pending' AND created_at < clock_timestamp() - interval '5 minutes'
                        """)
                } > 0
        }
        if !owned {
            let rows = try await pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT fingerprint, status, response_status, response_body FROM idempotency_keys
                    WHERE key = \(key) AND api_key_id = \(apiKey)
                    """)
            }
            guard let row = rows.first else { throw Problem.conflict("Idempotency-Key \(key) is being reset; retry") }
            guard try row.decode(String.self, at: 0) == fingerprint else {
                throw Problem(
                    .unprocessableContent, kind: "idempotency-key-reused", title: "Idempotency-Key reused",
                    detail: "Idempotency-Key \(key) was already used for a different request")
            }
            guard try row.decode(String.self, at: 1) == "done", let status: Int = try row.decode(at: 2),
                let body: String = try row.decode(at: 3)
            else {
                throw Problem.conflict("a request with Idempotency-Key \(key) is still being processed; retry later")
            }
            var response = Reply(status: status, body: Data(body.utf8)).response
            response.headers[.idempotentReplayed] = "true"
            return response
        }
        let reply: Reply
        do {
            reply = try await Self.capture(work)
        } catch {
            _ = try? await pool.withConnection { connection in
                try await connection.execute(
                    "DELETE FROM idempotency_keys WHERE key = \(key) AND api_key_id = \(apiKey) AND status = 'pending'")
            }
            throw error
        }
        let text = String(decoding: reply.body, as: UTF8.self)
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE idempotency_keys SET status = 'done', response_status = \(reply.status), response_body = \(text)
                WHERE key = \(key) AND api_key_id = \(apiKey)
                """)
        }
        return reply.response
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
