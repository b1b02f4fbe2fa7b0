import Postgres

/// Why an audit operation was refused or failed.
public enum AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `--against` value that is neither `POSITION:HASH` nor a 64-digit hex hash.
    case invalidAnchor(String)
    /// There is nothing to seal yet.
    case emptyLog
    /// An access record that breaks the access log's rules.
    case invalidAccessRecord(String)
    /// The database failed; the underlying error keeps SQLSTATE and detail.
    case database(PostgresError)

    public var description: String {
        switch self {
        case .invalidAnchor(let text):
            "invalid seal '\(text.prefix(100))': expected POSITION:HASH or HASH, the hash as 64 hex digits"
        case .emptyLog:
            "nothing to seal: the log has no events yet"
        case .invalidAccessRecord(let reason):
            "invalid access record: \(reason)"
        case .database(let error):
            error.description
        }
    }

    public static func == (lhs: AuditError, rhs: AuditError) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
