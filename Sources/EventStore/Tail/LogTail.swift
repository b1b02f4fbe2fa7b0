/// The one loop every live reader of the log runs: listen before reading, read, and when there was
/// nothing new wait for an append notification (at most `idlePoll`, a safety net); on connection
/// trouble back off (`ReconnectBackoff`) and try again.
///
/// It waits on the store's `LogNotifier`, so however many tails a process runs they share one
/// listening connection. `EventSubscription`, the shared `LogFollower`, the projection runner and
/// (through the follower) the server's webhook deliveries are all built on it.
public struct LogTail: Sendable {
    public let store: EventStore
    /// The longest wait for a notification before reading anyway.
    public let idlePoll: Duration
    private var backoff = ReconnectBackoff()

    public init(store: EventStore, idlePoll: Duration = .seconds(2)) {
        self.store = store
        self.idlePoll = idlePoll
    }

    /// Runs `read` once the store listens, so that an append committed during or after it wakes the
    /// wait that follows. Returns what `read` found; when it found nothing (nil), first waits for an
    /// append or `idlePoll`, then returns nil. A connection problem (in `read` or in listening) is
    /// retried after the backoff; any other error is thrown. Throws `CancellationError` once the task
    /// is cancelled.
    public mutating func poll<T>(_ read: () async throws -> T?) async throws -> T? {
        while true {
            try Task.checkCancellation()
            do {
                let mark = try await store.notifier.mark()
                let found = try await read()
                backoff.reset()
                if let found { return found }
                _ = await store.notifier.wait(after: mark, timeout: idlePoll)
                try Task.checkCancellation()
                return nil
            } catch let error where EventStoreError.isConnectionProblem(error) {
                await backoff.wait()
            }
        }
    }

    /// The next page of the log after `checkpoint` (only `category`, at most `limit` events): at once
    /// when there is one, otherwise after waiting as `poll` does, and then empty when none came.
    public mutating func nextPage(after checkpoint: Checkpoint, category: String? = nil, limit: Int) async throws
        -> [RecordedEvent]
    {
        let store = self.store
        return try await poll { () async throws -> [RecordedEvent]? in
            let page = try await store.readAll(after: checkpoint, limit: limit, category: category)
            return page.events.isEmpty ? nil : page.events
        } ?? []
    }
}
