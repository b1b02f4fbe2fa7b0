import Crypto
import EventStore
import Foundation
import Postgres
import TextCodecs

/// Creates, lists, revokes and checks API keys in `api_keys`.
///
/// A key is `stp_` and 64 hex digits (256 random bits); only its SHA-256 is stored, which is
/// enough for a secret of that entropy (no slow hash needed).
public struct APIKeyStore: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Why a key could not be created.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case invalidName
        case invalidCategory(String)

        public var description: String {
            switch self {
            case .invalidName: "a key name needs 1–200 printable characters"
            case .invalidCategory(let category): "'\(category.prefix(40))' is not a stream category"
            }
        }
    }

    /// Creates a key and returns it with its secret, which is shown this once.
    public func create(name: String, role: Role, categories: [String]? = nil) async throws -> (
        key: APIKey, secret: String
    ) {
        guard (1...200).contains(name.count),
            !name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true })
        else { throw Failure.invalidName }
        if let bad = categories?.first(where: { !EventStreamName.isValidCategory($0) }) {
            throw Failure.invalidCategory(bad)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = "stp_" + Hex.encode(bytes)
        let id = UUID()
        let joined = categories?.joined(separator: ",")
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO api_keys (id, name, role, key_hash, categories)
                VALUES (\(id), \(name), \(role.rawValue), \(Self.hash(secret)), string_to_array(\(joined), ','))
                RETURNING created_at
                """)
        }
        let createdAt = try rows.first?.decode(Date.self) ?? Date()
        return (APIKey(id: id, name: name, role: role, categories: categories, createdAt: createdAt), secret)
    }

    /// Every key, newest first (revoked ones too).
    public func list() async throws -> [APIKey] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, name, role, array_to_string(categories, ','), created_at, revoked_at
                FROM api_keys ORDER BY created_at DESC, id
                """
            ).map(Self.decode)
        }
    }

    /// Revokes a key; false when there is no such unrevoked key.
    public func revoke(id: UUID) async throws -> Bool {
        try await pool.withConnection { connection in
            try await connection.execute(
                "UPDATE api_keys SET revoked_at = clock_timestamp() WHERE id = \(id) AND revoked_at IS NULL")
        } > 0
    }

    /// The unrevoked key with this secret, if any.
    public func authenticate(secret: String) async throws -> APIKey? {
        guard secret.hasPrefix("stp_"), secret.utf8.count == 68 else { return nil }
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, name, role, array_to_string(categories, ','), created_at, revoked_at
                FROM api_keys WHERE key_hash = \(Self.hash(secret)) AND revoked_at IS NULL
                """
            ).first.map(Self.decode)
        }
    }

    /// A key from a row of `id, name, role, categories, created_at, revoked_at`.
    public static func decode(_ row: PostgresRow) throws -> APIKey {
        let (id, name, role, categories, createdAt, revokedAt) = try row.decode(
            (UUID, String, String, String?, Date, Date?).self)
        return APIKey(
            id: id, name: name, role: Role(rawValue: role) ?? .auditor,
            categories: categories.map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) },
            createdAt: createdAt, revokedAt: revokedAt)
    }

    /// SHA-256, lower-case hex.
    public static func hash(_ text: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Data(text.utf8))))
    }
}
