import ClinicService
import Crypto
import Foundation
import Postgres
import TextCodecs

/// A signed-in console user: the API key they signed in with and the session's form token.
public struct ConsoleSession: Sendable {
    /// The key the session was signed in with (checked unrevoked on every request).
    public var key: APIKey
    /// The token every form of this session must carry (CSRF).
    public var csrfToken: String
    /// Who reads, for the access log: the key's name.
    public var actor: String { key.name }
    /// Whether the session may use the front-desk forms.
    public var mayCommand: Bool { key.role.allows(.command) }
}

/// Server-side console sessions in `console_sessions` (`Schema/0010_console.sql`).
///
/// The browser holds only a random 256-bit token; the table keeps its SHA-256. A session is valid
/// while its key is unrevoked and it was used within `idleTimeout`; each use moves the idle clock.
public struct ConsoleSessionStore: Sendable {
    public let pool: ConnectionPool
    /// How long an unused session stays valid.
    public let idleTimeout: Duration

    public init(pool: ConnectionPool, idleTimeout: Duration = .seconds(30 * 60)) {
        self.pool = pool
        self.idleTimeout = idleTimeout
    }

    /// The roles that may sign in to the console.
    public static let roles: Set<Role> = [.operator, .auditor]

    /// Opens a session for `key` and returns its token (for the cookie), or nil when the key's role may not
    /// use the console.
    public func open(for key: APIKey) async throws -> (token: String, session: ConsoleSession)? {
        guard Self.roles.contains(key.role), key.revokedAt == nil else { return nil }
        let token = Self.randomToken()
        let csrf = Self.randomToken()
        try await pool.withConnection { connection in
            // Sessions idle for longer than the timeout are gone for good: clear them as new ones open.
            try await connection.execute(
                """
                DELETE FROM console_sessions
                WHERE last_seen_at < clock_timestamp() - make_interval(secs => \(idleSeconds))
                """)
            try await connection.execute(
                """
                INSERT INTO console_sessions (token_hash, api_key_id, csrf_token)
                VALUES (\(APIKeyStore.hash(token)), \(key.id), \(csrf))
                """)
        }
        return (token, ConsoleSession(key: key, csrfToken: csrf))
    }

    /// The live session with this token (its key unrevoked, used within the idle timeout), touching it;
    /// nil otherwise. A session whose key was revoked or that timed out is deleted.
    public func session(token: String) async throws -> ConsoleSession? {
        guard token.utf8.count == 64, token.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        let hash = APIKeyStore.hash(token)
        return try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                UPDATE console_sessions s SET last_seen_at = clock_timestamp()
                FROM api_keys k
                WHERE s.token_hash = \(hash) AND k.id = s.api_key_id AND k.revoked_at IS NULL
                  AND s.last_seen_at >= clock_timestamp() - make_interval(secs => \(idleSeconds))
                RETURNING k.id, k.name, k.role, array_to_string(k.categories, ','), k.created_at, k.revoked_at,
                          s.csrf_token
                """)
            guard let row = rows.first else {
                try await connection.execute("DELETE FROM console_sessions WHERE token_hash = \(hash)")
                return nil
            }
            let key = try APIKeyStore.decode(row)
            guard Self.roles.contains(key.role) else { return nil }
            return ConsoleSession(key: key, csrfToken: try row.decode(String.self, column: "csrf_token"))
        }
    }

    /// Ends the session with this token (sign-out).
    public func close(token: String) async throws {
        try await pool.withConnection { connection in
            _ = try await connection.execute(
                "DELETE FROM console_sessions WHERE token_hash = \(APIKeyStore.hash(token))")
        }
    }

    /// Ends every session of a key (used when it is revoked; sessions of a revoked key are refused anyway).
    public func closeAll(keyID: UUID) async throws {
        try await pool.withConnection { connection in
            _ = try await connection.execute("DELETE FROM console_sessions WHERE api_key_id = \(keyID)")
        }
    }

    var idleSeconds: Double {
        let parts = idleTimeout.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// 256 random bits as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Compares two tokens in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
