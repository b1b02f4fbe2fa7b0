import Postgres

extension EventStoreError {
    /// True when `error` means the database connection failed (server restarted or down, network cut),
    /// so the same work may succeed on a new connection: the one test every retry loop of the store and
    /// its users asks, whichever layer wrapped the `PostgresError`.
    public static func isConnectionProblem(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError: error.isConnectionProblem
        case EventStoreError.database(let error): error.isConnectionProblem
        case AuditError.database(let error): error.isConnectionProblem
        default: false
        }
    }
}
