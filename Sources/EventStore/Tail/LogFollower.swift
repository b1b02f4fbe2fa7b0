import Synchronization

/// One reader of the log shared by many live subscribers: a `LogTail` that reads each new page of
/// the log once (all categories) and hands it to every subscriber, which keeps the events of its
/// categories in a mailbox of its own.
///
/// A subscriber (`subscribe`) behaves like `EventStore.subscribe`: every event after its checkpoint
/// once, in log order, reconnecting after a database restart without loss. It registers first
/// (learning the follower's position P at that moment; every later page lands in its mailbox),
/// catches up with its own reads up to P, then takes from the mailbox, dropping anything at or
/// before what it already delivered, so the hand-off has no gap and no duplicate. The follower never
/// waits for a subscriber: a mailbox that passes `mailboxLimit` events is emptied and its subscriber
/// goes back to reading for itself from its own checkpoint, then joins again. A subscriber also
/// learns the position the feed reached, past events of other categories (`Subscription.Iterator.nextBatch`),
/// so a consumer that records its checkpoint can move it past them.
///
/// The follower reads only while someone is subscribed. A server runs it in its own task (`run`,
/// as a service); without that, the first subscriber starts the reading in a task of its own and the
/// last one to go stops it.
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
    /// Bumped when the reading stops, so a stale reader cannot publish.
    private var generation = 0
    /// The reading task, when no `run` hosts the reading.
    private var reader: Task<Void, Never>?
    /// True while `run` hosts the reading (then no task of its own is started).
    private var hosted = false
    private var reading = false
    /// `run`, waiting for a first subscriber.
    private var hostWaiting: CheckedContinuation<Void, Never>?

    public init(store: EventStore, batchSize: Int = 500, mailboxLimit: Int = 10_000, idlePoll: Duration = .seconds(2)) {
        self.store = store
        self.batchSize = min(max(1, batchSize), store.limits.maximumReadBatch)
        self.mailboxLimit = max(1, mailboxLimit)
        self.idlePoll = idlePoll
    }

    /// Follows the log after `checkpoint` (only `category`, when given), through this follower.
    public nonisolated func subscribe(
        after checkpoint: Checkpoint = .start, category: String? = nil, batchSize: Int = 500
    )
        -> Subscription
    {
        subscribe(after: checkpoint, categories: category.map { [$0] }, batchSize: batchSize)
    }

    /// Follows the log after `checkpoint` (only streams of `categories`, when given), through this follower.
    public nonisolated func subscribe(
        after checkpoint: Checkpoint = .start, categories: Set<String>?, batchSize: Int = 500
    )
        -> Subscription
    {
        Subscription(
            follower: self, after: checkpoint, categories: categories,
            batchSize: min(max(1, batchSize), store.limits.maximumReadBatch))
    }

    /// Subscribers currently registered (their mailboxes still alive).
    public var subscriberCount: Int {
        mailboxes.removeAll { $0.mailbox == nil }
        return mailboxes.count
    }

    /// True while the shared reader runs.
    public var isReading: Bool { reader != nil || reading }

    // MARK: - Hosting

    /// Runs the shared reading in the caller's task until it is cancelled, then ends every subscription
    /// (`CancellationError`). Meant for a service group: the server's one live reader of the log.
    public func run() async {
        hosted = true
        if let task = reader {
            // A subscriber came first and started a reader of its own: take over from where it published.
            reader = nil
            generation += 1
            task.cancel()
        }
        while !Task.isCancelled {
            mailboxes.removeAll { $0.mailbox == nil }
            if position != nil && !mailboxes.isEmpty {
                reading = true
                await follow(generation: generation)
                reading = false
            } else {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        if Task.isCancelled || (position != nil && !mailboxes.isEmpty) {
                            continuation.resume()
                        } else {
                            hostWaiting = continuation
                        }
                    }
                } onCancel: {
                    Task { await self.wakeHost() }
                }
            }
        }
        hosted = false
        await close()
    }

    private func wakeHost() {
        hostWaiting?.resume()
        hostWaiting = nil
    }

    // MARK: - Registration

    /// A new mailbox that receives every page published from now on, and the position up to which
    /// the subscriber must read for itself.
    func register(categories: Set<String>?, reportingPosition: Bool) async throws -> (Mailbox, Int64) {
        if position == nil {
            let head = try await store.headPosition()
            // Another registration may have started the reader during the await.
            if position == nil { position = head }
        }
        guard let position else { throw EventStoreError.protocolViolation("the log follower has no position") }
        let mailbox = Mailbox(
            categories: categories, limit: mailboxLimit, reached: position, reportingPosition: reportingPosition)
        mailboxes.append(WeakMailbox(mailbox: mailbox))
        if hosted {
            wakeHost()
        } else if reader == nil {
            let generation = self.generation
            reader = Task { await self.follow(generation: generation) }
        }
        return (mailbox, position)
    }

    // MARK: - The shared reader

    private func follow(generation: Int) async {
        var tail = LogTail(store: store, idlePoll: idlePoll)
        while let from = nextPosition(generation: generation) {
            do {
                let events = try await tail.nextPage(after: Checkpoint(position: from), limit: batchSize)
                publish(events, generation: generation)
            } catch is CancellationError {
                break
            } catch {
                fail(error, generation: generation)
                break
            }
        }
    }

    /// Where to read on from, or nil (and the reading stopped) when nobody is subscribed any more.
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
        for entry in mailboxes { entry.mailbox?.deliver(events, reached: last.position) }
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

    /// One subscriber's share of the feed: the events of its categories published since it registered,
    /// and the position the feed reached.
    final class Mailbox: Sendable {
        enum Taken {
            /// Events (possibly none, when only the position moved) and the position they bring it to.
            case events([RecordedEvent], reached: Int64)
            /// It passed its limit and was emptied: read for yourself from your checkpoint.
            case overflowed
            case failed(any Error)
        }

        struct State {
            var events: [RecordedEvent] = []
            var reached: Int64
            var reported: Int64
            var overflowed = false
            var failure: (any Error)?
            var cancelled = false
            var waiter: CheckedContinuation<Void, Never>?
        }

        let categories: Set<String>?
        let limit: Int
        /// Wake the subscriber when only the position moved (pages of other categories), too.
        let reportingPosition: Bool
        private let state: Mutex<State>

        init(categories: Set<String>?, limit: Int, reached: Int64, reportingPosition: Bool) {
            self.categories = categories
            self.limit = limit
            self.reportingPosition = reportingPosition
            self.state = Mutex(State(reached: reached, reported: reached))
        }

        private func isReady(_ state: State) -> Bool {
            !state.events.isEmpty || state.overflowed || state.failure != nil || state.cancelled
                || (reportingPosition && state.reached > state.reported)
        }

        /// Keeps the events of this mailbox's categories; never waits.
        func deliver(_ events: [RecordedEvent], reached: Int64) {
            let kept = categories.map { wanted in events.filter { wanted.contains($0.stream.category) } } ?? events
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.overflowed, state.failure == nil else { return nil }
                state.reached = max(state.reached, reached)
                if state.events.count + kept.count > limit {
                    state.events = []
                    state.overflowed = true
                } else {
                    state.events += kept
                }
                guard isReady(state) else { return nil }
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
                    guard !state.events.isEmpty || (reportingPosition && state.reached > state.reported) else {
                        return nil
                    }
                    defer {
                        state.events = []
                        state.reported = state.reached
                    }
                    return .events(state.events, reached: state.reached)
                }
                if let taken { return taken }
                if Task.isCancelled || state.withLock({ $0.cancelled }) { return nil }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let ready = state.withLock { state -> Bool in
                            if isReady(state) { return true }
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
        let categories: Set<String>?
        let batchSize: Int

        public func makeAsyncIterator() -> Iterator {
            Iterator(follower: follower, checkpoint: after, categories: categories, batchSize: batchSize)
        }

        /// Events of a subscription's categories and the position the subscription reached with them.
        public struct Batch: Sendable {
            public var events: [RecordedEvent]
            /// Every event of the subscription's categories at or before it has been delivered; it may be
            /// past the last of `events` (events of other categories followed).
            public var reached: Checkpoint
        }

        public struct Iterator: AsyncIteratorProtocol {
            let follower: LogFollower
            let categories: Set<String>?
            let batchSize: Int
            /// Every event of our categories at or before it has been delivered.
            public private(set) var checkpoint: Checkpoint
            var buffer: [RecordedEvent] = []
            var index = 0
            /// Where `checkpoint` may move once the buffer is drained.
            var bufferReach: Int64 = 0
            /// Our mailbox, once registered, and the follower's position when we registered.
            var mailbox: Mailbox?
            var reportingPosition = false
            var joinedAt: Int64 = 0
            /// True once our own reads reached `joinedAt`: the mailbox has the rest.
            var caughtUp = false

            init(follower: LogFollower, checkpoint: Checkpoint, categories: Set<String>?, batchSize: Int) {
                self.follower = follower
                self.checkpoint = checkpoint
                self.categories = categories
                self.batchSize = batchSize
            }

            public mutating func next() async throws -> RecordedEvent? {
                while true {
                    while index < buffer.count {
                        let event = buffer[index]
                        index += 1
                        // The mailbox may repeat what the catch-up already delivered.
                        guard event.position > checkpoint.position else { continue }
                        checkpoint = event.checkpoint
                        return event
                    }
                    moveToReach()
                    guard try await refill() else { return nil }
                }
            }

            /// Up to `limit` events of our categories, reaching the last of them; or, when none are left,
            /// no events and the position the feed reached past events of other categories. Waits until
            /// there is one or the other. Nil when the task is cancelled.
            public mutating func nextBatch(limit: Int) async throws -> Batch? {
                reportingPosition = true
                let start = checkpoint
                while true {
                    var events: [RecordedEvent] = []
                    while index < buffer.count && events.count < Swift.max(1, limit) {
                        let event = buffer[index]
                        index += 1
                        guard event.position > checkpoint.position else { continue }
                        events.append(event)
                        checkpoint = event.checkpoint
                    }
                    // A batch of events reaches its last one; a move past other categories comes on its own.
                    if !events.isEmpty { return Batch(events: events, reached: checkpoint) }
                    moveToReach()
                    if checkpoint > start { return Batch(events: [], reached: checkpoint) }
                    guard try await refill() else { return nil }
                }
            }

            private mutating func moveToReach() {
                if index >= buffer.count, bufferReach > checkpoint.position {
                    checkpoint = Checkpoint(position: bufferReach)
                }
            }

            /// Fills the buffer from our own reads or the mailbox; false when the task is cancelled.
            private mutating func refill() async throws -> Bool {
                var backoff = ReconnectBackoff()
                while !Task.isCancelled {
                    do {
                        guard let mailbox else {
                            (mailbox, joinedAt) = try await follower.register(
                                categories: categories, reportingPosition: reportingPosition)
                            caughtUp = checkpoint.position >= joinedAt
                            backoff.reset()
                            continue
                        }
                        if !caughtUp {
                            // One category is read through its index; several are filtered from the whole log.
                            let only = categories?.count == 1 ? categories?.first : nil
                            let page = try await follower.store.readAll(
                                after: checkpoint, limit: batchSize, category: only, upTo: joinedAt)
                            // A short page is the last one up to `joinedAt`; deliver it, then the mailbox.
                            caughtUp = page.events.count < batchSize
                            buffer = page.events.filter { event in
                                categories.map { $0.contains(event.stream.category) } ?? true
                            }
                            index = 0
                            bufferReach = caughtUp ? joinedAt : (page.events.last?.position ?? checkpoint.position)
                            return true
                        }
                        switch await mailbox.take() {
                        case nil:
                            return false
                        case .events(let events, let reached):
                            buffer = events
                            index = 0
                            bufferReach = reached
                            return true
                        case .overflowed:
                            // We fell a mailbox behind the feed: read for ourselves, then join again.
                            self.mailbox = nil
                        case .failed(let error):
                            self.mailbox = nil
                            throw error
                        }
                    } catch let error where EventStoreError.isConnectionProblem(error) {
                        await backoff.wait()
                    }
                }
                return false
            }
        }
    }
}
