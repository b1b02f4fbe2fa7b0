import Foundation
import Postgres

/// Follows the log from a checkpoint: first every stored event after it, then each new
/// one as it commits, woken by `NOTIFY` (with a slow poll as a safety net).
///
/// Each event is delivered once, in log order; the consumer pulls, so a slow consumer
/// only slows itself. A dropped database connection is retried with backoff and the
/// subscription carries on from the last delivered event, so nothing is lost or repeated.
/// The sequence ends (returns nil) when its task is cancelled.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let store: EventStore
    let after: Checkpoint
    let category: String?
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, checkpoint: after, category: category, batchSize: batchSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let store: EventStore
        let category: String?
        let batchSize: Int
        let listener: NotificationListener
        /// The position of the last delivered event.
        public private(set) var checkpoint: Checkpoint
        var buffer: [RecordedEvent] = []
        var index = 0

        init(store: EventStore, checkpoint: Checkpoint, category: String?, batchSize: Int) {
            self.store = store
            self.checkpoint = checkpoint
            self.category = category
            self.batchSize = batchSize
            self.listener = NotificationListener(configuration: store.pool.configuration)
        }

        public mutating func next() async throws -> RecordedEvent? {
            var backoff = Duration.milliseconds(50)
            while !Task.isCancelled {
                if index < buffer.count {
                    let event = buffer[index]
                    index += 1
                    checkpoint = event.checkpoint
                    return event
                }
                do {
                    // Listen before reading, so a commit between the read and the wait still wakes us.
                    try await listener.start()
                    let page = try await store.readAll(after: checkpoint, limit: batchSize, category: category)
                    backoff = .milliseconds(50)
                    if page.events.isEmpty {
                        try await listener.wait(timeout: .seconds(2))
                    } else {
                        buffer = page.events
                        index = 0
                    }
                } catch {
                    guard Self.isTransient(error) else { throw error }
                    await listener.reset()
                    try? await Task.sleep(for: backoff)
                    backoff = Swift.min(backoff * 2, .seconds(2))
                }
            }
            return nil
        }

        static func isTransient(_ error: any Error) -> Bool {
            if let error = error as? PostgresError { return error.isConnectionProblem }
            if case .database(let error) = error as? EventStoreError { return error.isConnectionProblem }
            return false
        }
    }
}

/// Owns a connection that LISTENs for appends; `reset` after a failure reconnects on next use.
public actor NotificationListener {
    private let configuration: PostgresConfiguration
    private var connection: PostgresConnection?

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
    }

    /// Connects and listens, unless already listening.
    public func start() async throws {
        guard connection == nil else { return }
        let connection = try await PostgresConnection.connect(configuration)
        try await connection.listen(EventStore.notificationChannel)
        self.connection = connection
    }

    /// Waits for an append notification or the timeout, whichever comes first.
    public func wait(timeout: Duration) async throws {
        guard let connection else { return }
        // Drain every queued notification: one read catches up with all of them.
        var notification = try await connection.waitForNotification(timeout: timeout)
        while notification != nil {
            notification = try await connection.waitForNotification(timeout: .zero)
        }
    }

    /// Drops the connection (after an error); the next `start` opens a new one.
    public func reset() async {
        await connection?.close()
        connection = nil
    }
}
