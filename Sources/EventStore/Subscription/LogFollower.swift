import Synchronization

/// One reader of the log shared by many live subscribers: it LISTENs once, reads each new page of
/// the log once (all categories) and hands it to every subscriber, which keeps the events of its
/// category in a mailbox of its own.
///
/// A subscriber (`subscribe`) behaves like `EventStore.subscribe`: every event after its checkpoint
/// once, in log order, reconnecting after a database restart without loss. It registers first
/// (learning the follower's position P at that moment; every later page lands in its mailbox),
/// catches up with its own reads up to P, then takes from the mailbox, dropping anything at or
/// before what it already delivered, so the hand-off has no gap and no duplicate. The follower never
/// waits for a subscriber: a mailbox that passes `mailboxLimit` events is emptied and its subscriber
/// goes back to reading for itself from its own checkpoint, then joins again.
///
/// The follower reads only while someone is subscribed; the last subscriber to go stops it.
public actor LogFollower {
    public let store: EventStore
    /// Events read per page of the shared feed.
    public let batchSize: Int
    /// Events a mailbox holds before its subscriber is sent back to reading for itself.
    public let mailboxLimit: Int
    /// How long the follower waits for a notification before it reads anyway (a safety net).
    public let idlePoll: Duration

    /// Every event at or before this position has been handed to the mailboxes; nil while stopped.
    private var position: Int64?
    private var mailboxes: [WeakMailbox] = []
    /// Bumped when the reading task stops, so a stale task cannot publish.
    private var generation = 0
    private var reader: Task<Void, Never>?

    public init(store: EventStore, batchSize: Int = 500, mailboxLimit: Int = 10_000, idlePoll: Duration = .seconds(2)) {
        self.store = store
        self.batchSize = min(max(1, batchSize), store.limits.maximumReadBatch)
        self.mailboxLimit = max(1, mailboxLimit)
        self.idlePoll = idlePoll
    }

    /// Follows the log after `checkpoint` (only `category`, when given), through this follower.
    public nonisolated func subscribe(after checkpoint: Checkpoint = .start, category: String? = nil, batchSize: Int = 500)
        -> Subscription
    {
        Subscription(
            follower: self, after: checkpoint, category: category,
            batchSize: min(max(1, batchSize), store.limits.maximumReadBatch))
    }

    /// Subscribers currently registered (their mailboxes still alive).
    public var subscriberCount: Int {
        mailboxes.removeAll { $0.mailbox == nil }
        return mailboxes.count
    }

    /// True while the shared reader runs.
    public var isReading: Bool { reader != nil }

    // MARK: - Registration

    /// A new mailbox that receives every page published from now on, and the position up to which
    /// the subscriber must read for itself.
    func register(category: String?) async throws -> (Mailbox, Int64) {
        if position == nil {
            let head = try await store.headPosition()
            // Another registration may have started the reader during the await.
            if position == nil { position = head }
        }
        guard let position else { throw EventStoreError.protocolViolation("the log follower has no position") }
        let mailbox = Mailbox(category: category, limit: mailboxLimit)
        mailboxes.append(WeakMailbox(mailbox: mailbox))
        if reader == nil {
            let generation = self.generation
            reader = Task { await self.follow(generation: generation) }
        }
        return (mailbox, position)
    }

    // MARK: - The shared reader

    private func follow(generation: Int) async {
        let listener = NotificationListener(configuration: store.pool.configuration)
        var backoff = Duration.milliseconds(50)
        while !Task.isCancelled, let from = nextPosition(generation: generation) {
            do {
                // Listen before reading, so a commit between the read and the wait still wakes us.
                try await listener.start()
                let page = try await store.readAll(after: Checkpoint(position: from), limit: batchSize)
                backoff = .milliseconds(50)
                if page.events.isEmpty {
                    try await listener.wait(timeout: idlePoll)
                } else {
                    publish(page.events, generation: generation)
                }
            } catch {
                guard EventSubscription.Iterator.isTransient(error) else {
                    fail(error, generation: generation)
                    break
                }
                await listener.reset()
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
        await listener.reset()
    }

    /// Where to read on from, or nil (and the reader stopped) when nobody is subscribed any more.
    private func nextPosition(generation: Int) -> Int64? {
        guard generation == self.generation else { return nil }
        mailboxes.removeAll { $0.mailbox == nil }
        guard !mailboxes.isEmpty else {
            stop()
            return nil
        }
        return position
    }

    private func publish(_ events: [RecordedEvent], generation: Int) {
        guard generation == self.generation, let last = events.last else { return }
        for entry in mailboxes { entry.mailbox?.deliver(events) }
        position = last.position
    }

    /// A failure that is not the connection's: every current subscriber gets it; the next one starts afresh.
    private func fail(_ error: any Error, generation: Int) {
        guard generation == self.generation else { return }
        for entry in mailboxes { entry.mailbox?.fail(error) }
        mailboxes.removeAll()
        stop()
    }

    private func stop() {
        position = nil
        generation += 1
        reader = nil
    }

    /// Stops the shared reader (subscribers still registered get `CancellationError`); for shutdown.
    public func close() async {
        let task = reader
        for entry in mailboxes { entry.mailbox?.fail(CancellationError()) }
        mailboxes.removeAll()
        stop()
        task?.cancel()
        await task?.value
    }
}

extension LogFollower {
    struct WeakMailbox {
        weak var mailbox: Mailbox?
    }

    /// One subscriber's share of the feed: the events of its category published since it registered.
    final class Mailbox: Sendable {
        enum Taken {
            case events([RecordedEvent])
            /// It passed its limit and was emptied: read for yourself from your checkpoint.
            case overflowed
            case failed(any Error)
        }

        struct State {
            var events: [RecordedEvent] = []
            var overflowed = false
            var failure: (any Error)?
            var cancelled = false
            var waiter: CheckedContinuation<Void, Never>?

            var isReady: Bool { !events.isEmpty || overflowed || failure != nil || cancelled }
        }

        let category: String?
        let limit: Int
        private let state = Mutex(State())

        init(category: String?, limit: Int) {
            self.category = category
            self.limit = limit
        }

        /// Keeps the events of this mailbox's category; never waits.
        func deliver(_ events: [RecordedEvent]) {
            let kept = category.map { category in events.filter { $0.stream.category == category } } ?? events
            guard !kept.isEmpty else { return }
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.overflowed, state.failure == nil else { return nil }
                if state.events.count + kept.count > limit {
                    state.events = []
                    state.overflowed = true
                } else {
                    state.events += kept
                }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func fail(_ error: any Error) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.failure = state.failure ?? error
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        /// Everything delivered since the last take (waiting for some), or nil when the task is cancelled.
        func take() async -> Taken? {
            while true {
                let taken = state.withLock { state -> Taken? in
                    if let failure = state.failure { return .failed(failure) }
                    if state.overflowed { return .overflowed }
                    guard !state.events.isEmpty else { return nil }
                    defer { state.events = [] }
                    return .events(state.events)
                }
                if let taken { return taken }
                if Task.isCancelled || state.withLock({ $0.cancelled }) { return nil }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let ready = state.withLock { state -> Bool in
                            if state.isReady { return true }
                            state.waiter = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                        state.cancelled = true
                        defer { state.waiter = nil }
                        return state.waiter
                    }
                    waiter?.resume()
                }
            }
        }
    }
}

extension LogFollower {
    /// Every event after a checkpoint, once, in log order: caught up with its own reads, then fed by
    /// the follower. Ends (returns nil) when its task is cancelled.
    public struct Subscription: AsyncSequence, Sendable {
        public typealias Element = RecordedEvent

        let follower: LogFollower
        let after: Checkpoint
        let category: String?
        let batchSize: Int

        public func makeAsyncIterator() -> Iterator {
            Iterator(follower: follower, checkpoint: after, category: category, batchSize: batchSize)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let follower: LogFollower
            let category: String?
            let batchSize: Int
            /// The position of the last delivered event.
            public private(set) var checkpoint: Checkpoint
            var buffer: [RecordedEvent] = []
            var index = 0
            /// Our mailbox, once registered, and the follower's position when we registered.
            var mailbox: Mailbox?
            var joinedAt: Int64 = 0
            /// True once our own reads reached `joinedAt`: the mailbox has the rest.
            var caughtUp = false

            init(follower: LogFollower, checkpoint: Checkpoint, category: String?, batchSize: Int) {
                self.follower = follower
                self.checkpoint = checkpoint
                self.category = category
                self.batchSize = batchSize
            }

            public mutating func next() async throws -> RecordedEvent? {
                var backoff = Duration.milliseconds(50)
                while !Task.isCancelled {
                    while index < buffer.count {
                        let event = buffer[index]
                        index += 1
                        // The mailbox may repeat what the catch-up already delivered.
                        guard event.position > checkpoint.position else { continue }
                        checkpoint = event.checkpoint
                        return event
                    }
                    do {
                        guard let mailbox else {
                            (mailbox, joinedAt) = try await follower.register(category: category)
                            caughtUp = checkpoint.position >= joinedAt
                            backoff = .milliseconds(50)
                            continue
                        }
                        if !caughtUp {
                            let page = try await follower.store.readAll(
                                after: checkpoint, limit: batchSize, category: category, upTo: joinedAt)
                            backoff = .milliseconds(50)
                            // A short page is the last one up to `joinedAt`; deliver it, then the mailbox.
                            caughtUp = page.events.count < batchSize
                            buffer = page.events
                            index = 0
                            continue
                        }
                        switch await mailbox.take() {
                        case nil:
                            return nil
                        case .events(let events):
                            buffer = events
                            index = 0
                        case .overflowed:
                            // We fell a mailbox behind the feed: read for ourselves, then join again.
                            self.mailbox = nil
                        case .failed(let error):
                            self.mailbox = nil
                            throw error
                        }
                    } catch {
                        guard EventSubscription.Iterator.isTransient(error) else { throw error }
                        try? await Task.sleep(for: backoff)
                        backoff = Swift.min(backoff * 2, .seconds(2))
                    }
                }
                return nil
            }
        }
    }
}
