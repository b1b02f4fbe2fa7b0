/// An error from PostgreSQL or from talking to it, keeping every field the server sent.
///
/// `code` says what kind of failure it was; for server errors `sqlState` holds the
/// five-character SQLSTATE (e.g. `23505` for a unique violation) and the other fields
/// whatever the server added.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The connection string or URL could not be used.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// No connection could be opened (server down, bad credentials, unknown database).
        public static let connectionFailed = Code("connection_failed")
        /// An open connection broke (server restarted, network cut); it is not reused.
        public static let connectionLost = Code("connection_lost")
        /// The server rejected a statement; see `sqlState`.
        public static let server = Code("server")
        /// A value in a row could not be decoded into the requested Swift type.
        public static let decoding = Code("decoding")
        /// The connection was closed by its owner.
        public static let closed = Code("closed")
    }

    public var code: Code
    public var message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// The statement that failed, for server errors (never its bound values).
    public var query: String?

    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil, query: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
        self.query = query
    }

    /// True when retrying on a fresh connection may succeed: the connection itself failed.
    public var isConnectionProblem: Bool {
        code == .connectionFailed || code == .connectionLost || code == .closed
            || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? false)
    }

    public var description: String {
        var text = message
        if code == .server || sqlState != nil {
            text = "PostgreSQL error" + (sqlState.map { " \($0)" } ?? "") + ": " + message
        }
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        if let constraint { text += " (constraint: \(constraint))" }
        return text
    }
}
