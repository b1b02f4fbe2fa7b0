import Foundation
import Postgres

/// The append-only record of who read which client's records (`Schema/0004_access_log.sql`).
///
/// Modules that show a client's timeline or export a client's data call `record` first;
/// the table rejects UPDATE, DELETE and TRUNCATE, so an entry, once written, stays.
public struct AccessLog: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Records one access and returns it as stored (an empty reason is stored as none).
    @discardableResult
    public func record(
        actor: String, action: String, subject: String, reason: String? = nil, channel: AccessChannel
    ) async throws -> AccessLogEntry {
        try Self.validate(actor: actor, action: action, subject: subject, reason: reason)
        let rows = try await run(
            """
            INSERT INTO access_log (actor, action, subject, reason, channel)
            VALUES (\(actor), \(action), \(subject), NULLIF(\(reason ?? ""), ''), \(channel.rawValue))
            RETURNING \(fragment: Self.columns)
            """)
        guard let row = rows.first else { throw AuditError.invalidAccessRecord("the database stored nothing") }
        return try Self.decode(row)
    }

    /// Records one access per subject, in the order given, in one statement: a page of a query that names
    /// several clients. Each subject is checked as `record` checks one; subjects must not contain a comma.
    public func record(
        actor: String, action: String, subjects: [String], reason: String? = nil, channel: AccessChannel
    ) async throws {
        guard !subjects.isEmpty else { return }
        for subject in subjects {
            try Self.validate(actor: actor, action: action, subject: subject, reason: reason)
            guard !subject.contains(",") else {
                throw AuditError.invalidAccessRecord("a subject recorded in a batch must not contain a comma")
            }
        }
        _ = try await run(
            """
            INSERT INTO access_log (actor, action, subject, reason, channel)
            SELECT \(actor), \(action), subject, NULLIF(\(reason ?? ""), ''), \(channel.rawValue)
            FROM unnest(string_to_array(\(subjects.joined(separator: ",")), ',')) WITH ORDINALITY AS s (subject, n)
            ORDER BY n
            """)
    }

    /// The newest entries first, of one subject or of all; at most `limit` (1–10,000).
    public func entries(subject: String? = nil, limit: Int = 100) async throws -> [AccessLogEntry] {
        let limit = min(max(1, limit), 10_000)
        let sql: SQL
        if let subject {
            sql =
                "SELECT \(fragment: Self.columns) FROM access_log WHERE subject = \(subject) ORDER BY id DESC LIMIT \(limit)"
        } else {
            sql = "SELECT \(fragment: Self.columns) FROM access_log ORDER BY id DESC LIMIT \(limit)"
        }
        return try await run(sql).map(Self.decode)
    }

    static let columns: SQL = "id, at, actor, action, subject, subject_kind, reason, channel"

    static func validate(actor: String, action: String, subject: String, reason: String?) throws {
        func clean(_ text: String) -> Bool {
            !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        guard (1...200).contains(actor.count), clean(actor) else {
            throw AuditError.invalidAccessRecord("the actor must be 1–200 characters without control characters")
        }
        guard action.wholeMatch(of: /[a-z][a-z0-9_.:-]{0,99}/) != nil else {
            throw AuditError.invalidAccessRecord(
                "action '\(action.prefix(100))' must be lowercase letters, digits and _ . : - (e.g. timeline.read)")
        }
        guard (1...200).contains(subject.count), clean(subject) else {
            throw AuditError.invalidAccessRecord("the subject must be 1–200 characters without control characters")
        }
        if let reason, reason.count > 1000 || reason.contains("\0") {
            throw AuditError.invalidAccessRecord("the reason must be at most 1,000 characters")
        }
    }

    private static func decode(_ row: PostgresRow) throws -> AccessLogEntry {
        let (id, at, actor, action, subject, subjectKind, reason, channelText) = try row.decode(
            (Int64, Date, String, String, String, String, String?, String).self)
        guard let channel = AccessChannel(rawValue: channelText) else {
            throw AuditError.invalidAccessRecord("unknown channel '\(channelText)' in the access log")
        }
        return AccessLogEntry(
            id: id, at: at, actor: actor, action: action, subject: subject, subjectKind: subjectKind, reason: reason,
            channel: channel)
    }

    private func run(_ sql: SQL) async throws -> QueryResult {
        do {
            return try await pool.withConnection { try await $0.query(sql) }
        } catch let error as PostgresError {
            throw AuditError.database(error)
        }
    }
}
