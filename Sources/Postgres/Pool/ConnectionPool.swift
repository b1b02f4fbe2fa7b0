/// A small pool that lends each connection to one task at a time.
///
/// Connections are opened lazily up to `maximumConnections`; a task that finds none free
/// waits its turn. A connection that broke (server restarted, network cut) or that comes
/// back still inside a transaction is closed, never lent again, and replaced on demand.
public actor ConnectionPool {
    public nonisolated let configuration: PostgresConfiguration
    public nonisolated let maximumConnections: Int

    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isClosed = false

    public init(configuration: PostgresConfiguration, maximumConnections: Int = 8) {
        self.configuration = configuration
        self.maximumConnections = max(1, maximumConnections)
    }

    /// Lends a connection to `body` and takes it back when `body` ends, even by throwing.
    public nonisolated func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection, failure: error)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    public nonisolated func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: isolation, body)
        }
    }

    /// How many connections are open, lent or idle.
    public var openConnections: Int { open }

    /// Closes idle connections and refuses new loans; lent ones close when they come back.
    public func close() async {
        isClosed = true
        let toClose = idle
        idle.removeAll()
        open -= toClose.count
        for connection in toClose { await connection.close() }
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    private func acquire() async throws -> PostgresConnection {
        while true {
            guard !isClosed else { throw PostgresError(code: .closed, message: "the connection pool is closed") }
            if let connection = idle.popLast() {
                if await connection.isAlive() { return connection }
                open -= 1
                await connection.close()
                continue
            }
            if open < maximumConnections {
                open += 1
                do {
                    return try await PostgresConnection.connect(configuration)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: PostgresConnection, failure: (any Error)? = nil) async {
        let broken = (failure as? PostgresError)?.isConnectionProblem ?? false
        let reusable = await connection.isReusable()
        if isClosed || broken || !reusable {
            open -= 1
            await connection.close()
        } else {
            idle.append(connection)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
