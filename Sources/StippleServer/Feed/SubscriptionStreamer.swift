import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Serves `GET /v1/subscribe` as server-sent events.
///
/// Subscribers share one reader of the log, the server's `LogFollower` (which the webhook deliveries
/// follow too): it waits on the store's one listening connection and reads each new page once for
/// all of them, however many there are. A subscriber that starts behind
/// catches up with reads of its own, then joins the shared feed without a gap or a duplicate;
/// both reconnect after a database restart without loss. Its events go into a bounded
/// buffer of `bufferLimit` events. The HTTP writer drains the buffer; when a consumer reads
/// too slowly the buffer fills, and instead of growing or slowing anyone else the stream
/// ends with an `overflow` event naming the token to resume after (everything before it was
/// delivered). Comment lines (`: heartbeat`) go out every `heartbeat` so proxies keep idle
/// connections open. Each event's `id:` is its resume token, so `Last-Event-ID` resumes. (A page of
/// the feed arrives in one burst, so a full buffer first gives the writer a few turns.)
public struct SubscriptionStreamer: Sendable {
    public struct Configuration: Sendable {
        /// Events buffered per subscriber before it is disconnected as too slow.
        public var bufferLimit: Int
        /// How often a comment line is sent on an idle stream.
        public var heartbeat: Duration
        /// Most concurrent subscribers: beyond it, 503 with Retry-After. They share the server's one
        /// follower, so each costs two tasks, a mailbox and a buffer, not a connection.
        public var maximumSubscribers: Int
        /// Events read per page, by a subscriber catching up and by the shared follower.
        public var batchSize: Int

        public init(
            bufferLimit: Int = 1000, heartbeat: Duration = .seconds(15), maximumSubscribers: Int = 2000,
            batchSize: Int = 100
        ) {
            self.bufferLimit = max(1, bufferLimit)
            self.heartbeat = heartbeat
            self.maximumSubscribers = max(1, maximumSubscribers)
            self.batchSize = max(1, batchSize)
        }
    }

    let store: EventStore
    let configuration: Configuration
    let metrics: Metrics
    /// The shared reader every subscriber of this server follows.
    let follower: LogFollower

    /// A streamer over `follower` (one per server process), or over a follower of its own.
    init(store: EventStore, configuration: Configuration, metrics: Metrics, follower: LogFollower? = nil) {
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.follower = follower ?? Self.follower(store: store, configuration: configuration)
    }

    /// The follower for subscribers configured as `configuration`: a mailbox holds at least a buffer's
    /// worth and a few pages, so only a subscriber that really falls behind reads for itself.
    static func follower(store: EventStore, configuration: Configuration) -> LogFollower {
        LogFollower(
            store: store, batchSize: configuration.batchSize,
            mailboxLimit: max(configuration.bufferLimit, 4 * configuration.batchSize))
    }

    enum Item: Sendable {
        case event(RecordedEvent)
        case heartbeat
    }

    enum Ending: Sendable {
        case overflow
        case failed
        case shutdown
    }

    /// The stream; `reader` (who, and why) is recorded in the access log once per client whose
    /// events it is sent.
    func response(after: Checkpoint, category: String?, reader: (actor: String, reason: String?)? = nil) throws
        -> Response
    {
        guard metrics.subscribers < configuration.maximumSubscribers else {
            throw Problem.unavailable("too many live subscribers; retry later")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.accelBuffering] = "no"
        let store = self.store
        let configuration = self.configuration
        let metrics = self.metrics
        let follower = self.follower
        let access = APIAccessLog(pool: store.pool)
        let body = ResponseBody { writer in
            metrics.subscriberStarted()
            defer { metrics.subscriberEnded() }
            let ending = Locked<Ending?>(nil)
            // Bounded by `buffered`: events handed to the stream and not yet taken by the writer.
            let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .unbounded)
            let buffered = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        let subscription = follower.subscribe(
                            after: after, category: category, batchSize: configuration.batchSize)
                        var recorded = Set<String>()
                        for try await event in subscription {
                            if let reader, event.stream.category == "client",
                                recorded.insert(event.stream.rawValue).inserted
                            {
                                try await access.record(
                                    actor: reader.actor, action: "subscription.read", clients: [event.stream.rawValue],
                                    reason: reader.reason)
                            }
                            // A page arrives in one burst: give the writer a few turns before calling it too slow.
                            var turns = 0
                            while buffered.value >= configuration.bufferLimit && turns < 16 {
                                await Task.yield()
                                turns += 1
                            }
                            guard buffered.value < configuration.bufferLimit else {
                                ending.withLock { $0 = $0 ?? .overflow }
                                break
                            }
                            buffered.withLock { $0 += 1 }
                            continuation.yield(.event(event))
                        }
                    } catch is CancellationError {
                        // The follower closed: the server is shutting down.
                        ending.withLock { $0 = $0 ?? .shutdown }
                    } catch {
                        ending.withLock { $0 = $0 ?? .failed }
                    }
                    continuation.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: configuration.heartbeat)
                        continuation.yield(.heartbeat)
                    }
                }
                try await writer.write(ByteBuffer(string: "retry: 2000\n: subscribed after \(after.token)\n\n"))
                var last = after
                try await withGracefulShutdownHandler {
                    for await item in items {
                        switch item {
                        case .event(let event):
                            buffered.withLock { $0 -= 1 }
                            // Encoded for each subscriber: no copy of opened personal data outlives the write.
                            try await writer.write(EventJSON.frame(event))
                            last = event.checkpoint
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                        }
                    }
                } onGracefulShutdown: {
                    ending.withLock { $0 = $0 ?? .shutdown }
                    continuation.finish()
                }
                let reason: (String, String)? =
                    switch ending.value {
                    case .overflow:
                        ("overflow", "the subscriber fell more than \(configuration.bufferLimit) events behind")
                    case .failed: ("error", "the server could not read the log")
                    case .shutdown: ("shutdown", "the server is shutting down")
                    case nil: nil
                    }
                if let reason {
                    if reason.0 == "overflow" { metrics.subscriberOverflowed() }
                    let data = "{\"reason\":\"\(reason.1)\",\"resume_after\":\"\(last.token)\"}"
                    try await writer.write(ByteBuffer(string: "event: \(reason.0)\ndata: \(data)\n\n"))
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
