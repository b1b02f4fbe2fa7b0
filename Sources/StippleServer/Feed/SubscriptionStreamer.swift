import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Serves `GET /v1/subscribe` as server-sent events.
///
/// Each subscriber gets its own reader of the log (`EventStore.subscribe`: catch up, then
/// follow NOTIFY, reconnecting after a database restart without loss) feeding a bounded
/// buffer of `bufferLimit` events. The HTTP writer drains the buffer; when a consumer reads
/// too slowly the buffer fills, and instead of growing or slowing anyone else the stream
/// ends with an `overflow` event naming the token to resume after (everything before it was
/// delivered). Comment lines (`: heartbeat`) go out every `heartbeat` so proxies keep idle
/// connections open. Each event's `id:` is its resume token, so `Last-Event-ID` resumes.
public struct SubscriptionStreamer: Sendable {
    public struct Configuration: Sendable {
        /// Events buffered per subscriber before it is disconnected as too slow.
        public var bufferLimit: Int
        /// How often a comment line is sent on an idle stream.
        public var heartbeat: Duration
        /// Most concurrent subscribers (each holds a database connection while following).
        public var maximumSubscribers: Int
        /// Events read per catch-up page.
        public var batchSize: Int

        public init(
            bufferLimit: Int = 1000, heartbeat: Duration = .seconds(15), maximumSubscribers: Int = 64,
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
        let access = APIAccessLog(pool: store.pool)
        let body = ResponseBody { writer in
            metrics.subscriberStarted()
            defer { metrics.subscriberEnded() }
            let ending = Locked<Ending?>(nil)
            let (items, continuation) = AsyncStream<Item>.makeStream(
                bufferingPolicy: .bufferingOldest(configuration.bufferLimit))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        let subscription = store.subscribe(
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
                            if case .dropped = continuation.yield(.event(event)) {
                                ending.withLock { $0 = $0 ?? .overflow }
                                break
                            }
                        }
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
                            var text = "id: \(event.checkpoint.token)\nevent: \(event.type)\ndata: "
                            text += String(decoding: EventJSON.data(event), as: UTF8.self)
                            text += "\n\n"
                            try await writer.write(ByteBuffer(string: text))
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
