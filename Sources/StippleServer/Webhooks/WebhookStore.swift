import ClinicService
import Crypto
import EventStore
import Foundation
import Postgres
import TextCodecs

/// Registers, lists and deletes webhooks, and persists their delivery state (`Schema/0006_webhooks.sql`).
public struct WebhookStore: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Why a webhook could not be registered.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case invalidURL(String)
        case invalidCategory(String)

        public var description: String {
            switch self {
            case .invalidURL(let reason): reason
            case .invalidCategory(let category): "'\(category.prefix(40))' is not a stream category"
            }
        }
    }

    /// Checks that `text` is an absolute `https://` or `http://` URL with a host (other schemes are
    /// refused); which of the two, and which addresses, is `WebhookDestinations`' decision.
    public static func validateURL(_ text: String) throws -> URL {
        guard text.utf8.count <= 2000, !text.contains(where: { $0.isWhitespace || $0.isNewline }),
            let url = URL(string: text), let scheme = url.scheme
        else { throw Failure.invalidURL("url must be an absolute https:// URL of at most 2000 characters") }
        let lowered = text.lowercased()
        guard ["http", "https"].contains(scheme.lowercased()),
            lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
        else { throw Failure.invalidURL("url must use the https:// scheme (got \(scheme.prefix(20)):)") }
        guard let host = url.host, !host.isEmpty else { throw Failure.invalidURL("url needs a host") }
        guard url.user == nil, url.password == nil else {
            throw Failure.invalidURL("url must not carry credentials; verify deliveries by their signature")
        }
        guard url.fragment == nil else { throw Failure.invalidURL("url must not have a #fragment") }
        if let port = url.port, !(1...65_535).contains(port) {
            throw Failure.invalidURL("url has an invalid port")
        }
        return url
    }

    /// Registers a webhook and returns it with its signing secret, which is shown this once.
    ///
    /// Deliveries start after `after` (by default the head of the log now: only new events).
    public func create(url text: String, categories: [String]?, apiKeyID: UUID, after: Int64? = nil) async throws -> (
        webhook: Webhook, secret: String
    ) {
        let url = try Self.validateURL(text)
        if let bad = categories?.first(where: { !EventStreamName.isValidCategory($0) }) {
            throw Failure.invalidCategory(bad)
        }
        let secret = "whsec_" + Hex.encode(Self.randomBytes(32))
        let id = UUID()
        let joined = categories?.joined(separator: ",")
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO webhooks AS w (id, api_key_id, url, categories, secret, checkpoint)
                VALUES (\(id), \(apiKeyID), \(text), string_to_array(\(joined), ','), \(secret),
                        coalesce(\(after), (SELECT position FROM log_head), 0))
                RETURNING \(fragment: Self.columns)
                """)
        }
        guard let row = rows.first else { throw PostgresError(code: .decoding, message: "no row returned") }
        var webhook = try Self.decode(row)
        webhook.url = url
        return (webhook, secret)
    }

    /// Every webhook, oldest first; only those of `apiKeyID` when given.
    public func list(apiKeyID: UUID? = nil) async throws -> [Webhook] {
        try await pool.withConnection { connection in
            if let apiKeyID {
                try await connection.query(
                    "SELECT \(fragment: Self.columns) FROM webhooks w WHERE w.api_key_id = \(apiKeyID) ORDER BY w.created_at, w.id"
                ).map(Self.decode)
            } else {
                try await connection.query(
                    "SELECT \(fragment: Self.columns) FROM webhooks w ORDER BY w.created_at, w.id"
                )
                .map(Self.decode)
            }
        }
    }

    /// One webhook, if it exists.
    public func webhook(id: UUID) async throws -> Webhook? {
        try await pool.withConnection { connection in
            try await connection.query("SELECT \(fragment: Self.columns) FROM webhooks w WHERE w.id = \(id)").first.map(
                Self.decode)
        }
    }

    /// Deletes a webhook (only one of `apiKeyID`'s when given); false when there was none.
    public func delete(id: UUID, apiKeyID: UUID? = nil) async throws -> Bool {
        try await pool.withConnection { connection in
            if let apiKeyID {
                try await connection.execute("DELETE FROM webhooks WHERE id = \(id) AND api_key_id = \(apiKeyID)")
            } else {
                try await connection.execute("DELETE FROM webhooks WHERE id = \(id)")
            }
        } > 0
    }

    /// A webhook to deliver: its settings and who registered it.
    struct Active: Sendable, Hashable {
        var webhook: Webhook
        /// The name of the key that registered it: the reader the access log names.
        var keyName: String
    }

    /// The webhooks that should be delivering now: those not disabled whose key is not revoked.
    func active() async throws -> [Active] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(fragment: Self.columns), k.name AS key_name FROM webhooks w
                JOIN api_keys k ON k.id = w.api_key_id
                WHERE k.revoked_at IS NULL AND w.disabled_at IS NULL ORDER BY w.created_at, w.id
                """
            ).map { row in
                Active(webhook: try Self.decode(row), keyName: try row.decode(String.self, column: "key_name"))
            }
        }
    }

    /// The secrets a delivery of `id` is signed with at `now`: the current one first, then the previous
    /// one while its rotation overlap lasts. Nil when the webhook is gone or disabled.
    func signingSecrets(id: UUID, now: Date) async throws -> [String]? {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT secret, previous_secret, previous_secret_expires_at, disabled_at IS NOT NULL
                FROM webhooks WHERE id = \(id)
                """)
        }
        guard let row = rows.first else { return nil }
        let (secret, previous, expires, disabled) = try row.decode((String, String?, Date?, Bool).self)
        guard !disabled else { return nil }
        if let previous, let expires, expires > now { return [secret, previous] }
        return [secret]
    }

    /// Records an acknowledged delivery: the checkpoint moves to `checkpoint` (never backwards) and
    /// the run of failures ends. False when the webhook is gone or another deliverer moved it first.
    func acknowledge(id: UUID, from previous: Int64, to checkpoint: Int64, delivered: Int) async throws -> Bool {
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE webhooks SET checkpoint = \(checkpoint), delivered = delivered + \(delivered), attempts = 0,
                    last_error = NULL, failing_since = NULL,
                    last_attempt_at = CASE WHEN \(delivered) > 0 THEN clock_timestamp() ELSE last_attempt_at END,
                    last_success_at = CASE WHEN \(delivered) > 0 THEN clock_timestamp() ELSE last_success_at END
                WHERE id = \(id) AND checkpoint = \(previous)
                """)
        } > 0
    }

    /// Records a failed attempt made at `at`, the `attempts`-th in a run that began at `failingSince`;
    /// with `disabledReason`, the webhook is disabled (its deliveries stop until re-enabled).
    func recordFailure(
        id: UUID, attempts: Int, error: String, at: Date, failingSince: Date, disabledReason: String? = nil
    ) async throws {
        let disabledAt = disabledReason == nil ? nil : at
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE webhooks SET attempts = \(attempts), last_error = \(String(error.prefix(500))),
                    last_attempt_at = \(at), failing_since = \(failingSince),
                    disabled_at = \(disabledAt), disabled_reason = \(disabledReason)
                WHERE id = \(id)
                """)
        }
    }

    /// Re-enables a webhook (only one of `apiKeyID`'s when given): deliveries resume from its
    /// checkpoint at the next refresh, with a new run of failures. Nil when there is no such webhook.
    public func enable(id: UUID, apiKeyID: UUID? = nil) async throws -> Webhook? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE webhooks AS w SET disabled_at = NULL, disabled_reason = NULL, attempts = 0, failing_since = NULL
                WHERE w.id = \(id) AND (\(apiKeyID)::uuid IS NULL OR w.api_key_id = \(apiKeyID))
                RETURNING \(fragment: Self.columns)
                """
            ).first.map(Self.decode)
        }
    }

    /// Gives a webhook (only one of `apiKeyID`'s when given) a new secret, returned this once; the
    /// current one keeps signing deliveries (beside the new) for `overlap` from `now`, none when zero.
    /// A rotation during an overlap drops the oldest secret. Nil when there is no such webhook.
    public func rotateSecret(id: UUID, apiKeyID: UUID? = nil, overlap: Duration, now: Date) async throws -> (
        webhook: Webhook, secret: String
    )? {
        let secret = "whsec_" + Hex.encode(Self.randomBytes(32))
        let expires = overlap > .zero ? now.addingTimeInterval(overlap.inSeconds) : nil
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE webhooks AS w SET secret = \(secret),
                    previous_secret = CASE WHEN \(expires)::timestamptz IS NULL THEN NULL ELSE w.secret END,
                    previous_secret_expires_at = \(expires)
                WHERE w.id = \(id) AND (\(apiKeyID)::uuid IS NULL OR w.api_key_id = \(apiKeyID))
                RETURNING \(fragment: Self.columns)
                """)
        }
        guard let row = rows.first else { return nil }
        return (try Self.decode(row), secret)
    }

    static let columns: SQL = """
        w.id, w.api_key_id, w.url, array_to_string(w.categories, ','), w.created_at, w.checkpoint, w.delivered,
        w.attempts, w.last_error, w.last_attempt_at, w.last_success_at, w.failing_since, w.disabled_at,
        w.disabled_reason, w.previous_secret_expires_at
        """

    static func decode(_ row: PostgresRow) throws -> Webhook {
        let (
            id, apiKeyID, text, categories, createdAt, checkpoint, delivered, attempts, lastError, lastAttemptAt,
            lastSuccessAt, failingSince, disabledAt, disabledReason, previousSecretExpiresAt
        ) = try row.decode(
            (
                UUID, UUID, String, String?, Date, Int64, Int64, Int, String?, Date?, Date?, Date?, Date?, String?,
                Date?
            ).self)
        guard let url = URL(string: text) else {
            throw PostgresError(code: .decoding, message: "a stored webhook URL does not parse")
        }
        return Webhook(
            id: id, apiKeyID: apiKeyID, url: url,
            categories: categories.map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) },
            createdAt: createdAt,
            status: .init(
                checkpoint: checkpoint, delivered: delivered, attempts: attempts, lastError: lastError,
                lastAttemptAt: lastAttemptAt, lastSuccessAt: lastSuccessAt, failingSince: failingSince,
                disabled: disabledAt.flatMap { at in disabledReason.map { Webhook.Disabled(at: at, reason: $0) } },
                previousSecretExpiresAt: previousSecretExpiresAt))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
