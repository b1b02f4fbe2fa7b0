import EventStore
import Foundation
import Hummingbird
import Testing

@testable import StippleServer

/// `GET /v1/subscribe` over the server's one shared log follower.
@Suite("Live subscribers share one reader of the log")
struct SharedFeedTests {
    static let categories = ["alpha", "beta", "gamma"]

    /// Appends an `end.marker` to each category: a subscriber stops once it has seen its share.
    static func appendMarkers(_ store: EventStore) async throws {
        for category in categories {
            try await store.append(
                [NewEvent(type: "end.marker", json: "{}")], to: try StreamName("\(category)-end"), expectedVersion: .any
            )
        }
    }

    /// LISTEN connections to the fixture's database right now.
    static func listeningConnections(_ fixture: ServerFixture) async throws -> Int {
        let rows = try await fixture.database.pool.withConnection { connection in
            try await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
        }
        return Int(try #require(rows.first).decode(Int64.self, at: 0))
    }

    @Test(
        "20 SSE subscribers (different categories and start points) joining while 3 writers append: each gets exactly its events, once, in order, over one LISTEN connection",
        .timeLimit(.minutes(8)))
    func twentySubscribers() async throws {
        let configuration = StippleServerConfiguration(
            port: 0, subscriptions: .init(heartbeat: .seconds(1), batchSize: 8), runProjections: false,
            runWebhooks: false)
        try await ServerFixture.with(configuration: configuration) { fixture in
            let store = fixture.database.store
            let reader = try #require(fixture.keys[.auditor])
            for index in 0..<24 {
                try await store.append(
                    [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")],
                    to: try StreamName("\(Self.categories[index % 3])-pre"), expectedVersion: .any)
            }
            try await LiveServerTests.withServer(fixture) { port in
                let writing = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<3 {
                            group.addTask {
                                for index in 0..<50 {
                                    try await store.append(
                                        [NewEvent(type: "thing.happened", json: "{\"w\":\(writer),\"i\":\(index)}")],
                                        to: try StreamName("\(Self.categories[(index + writer) % 3])-w\(writer)"),
                                        expectedVersion: .any)
                                    if index % 5 == 0 {
                                        try await Task.sleep(for: .milliseconds(Int.random(in: 2...10)))
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                var subscribers: [(after: Int64, category: String?, task: Task<[String], any Error>)] = []
                for index in 0..<20 {
                    let category: String? = index % 4 == 3 ? nil : Self.categories[index % 4]
                    let after = Int64.random(in: 0...(try await store.headPosition()))
                    var path = "/v1/subscribe?after=\(after)"
                    if let category { path += "&category=\(category)" }
                    let markers = category == nil ? 3 : 1
                    let task = Task {
                        let seen = Locked<[String]>([])
                        let ends = Locked(0)
                        let status = try await RawHTTPClient.stream(
                            port: port, path: path, headers: ["Authorization": "Bearer \(reader)"],
                            timeout: .seconds(60)
                        ) { frame in
                            if let id = frame.id { seen.withLock { $0.append(id) } }
                            if frame.event == "end.marker" { ends.withLock { $0 += 1 } }
                            return ends.value < markers
                        }
                        #expect(status == 200)
                        return seen.value
                    }
                    subscribers.append((after, category, task))
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
                }
                try await writing.value
                // Every subscriber is connected and following: one LISTEN connection serves them all.
                for _ in 0..<500 where await fixture.app.follower.subscriberCount < 20 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(await fixture.app.follower.subscriberCount == 20)
                #expect(try await Self.listeningConnections(fixture) == 1)
                try await Self.appendMarkers(store)
                for subscriber in subscribers {
                    let seen = try await subscriber.task.value
                    let expected = try await store.readAll(
                        after: Checkpoint(position: subscriber.after), limit: 10_000, category: subscriber.category
                    ).events.map(\.checkpoint.token)
                    #expect(
                        seen == expected,
                        "after \(subscriber.after) in \(subscriber.category ?? "all"): \(seen.count) seen, \(expected.count) stored"
                    )
                }
            }
        }
    }

    @Test(
        "a stalled SSE subscriber overflows with its resume token while the others, on the same follower, get everything",
        .timeLimit(.minutes(8)))
    func stalledSubscriberOverflows() async throws {
        try await ServerFixture.with { fixture in
            let store = fixture.database.store
            let metrics = Metrics()
            let configuration = SubscriptionStreamer.Configuration(
                bufferLimit: 5, heartbeat: .seconds(30), batchSize: 50)
            let follower = SubscriptionStreamer.follower(store: store, configuration: configuration)
            let streamer = SubscriptionStreamer(
                store: store, configuration: configuration, metrics: metrics, follower: follower)
            let slowFrames = Locked<[String]>([])
            let release = Locked(false)
            let slow = Task {
                try await streamer.response(after: .start, category: nil).body.write(
                    StalledWriter(frames: slowFrames, release: release))
            }
            let fast = (0..<3).map { _ in
                let frames = Locked<[String]>([])
                let task = Task {
                    do {
                        try await streamer.response(after: .start, category: nil).body.write(
                            CollectingWriter(frames: frames, stopAfter: 60))
                    } catch is CollectingWriter.Enough {}
                }
                return (frames, task)
            }
            for _ in 0..<500 where await follower.subscriberCount < 4 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await follower.subscriberCount == 4)
            for index in 0..<60 {
                try await store.append(
                    [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")],
                    to: try StreamName("thing-\(index % 3)"), expectedVersion: .any)
            }
            for (frames, task) in fast {
                try await task.value
                #expect(Self.ids(frames.value.joined()) == Array(1...60))
            }
            // Stalled on its first event while all 60 were published, its buffer of 5 overflows: its feeder stops
            // and drops its mailbox (the fast ones dropped theirs). Released before that, it would drain its buffer,
            // never overflow and stay subscribed: on a loaded machine its feeder can lag the others by seconds.
            var waits = 0
            while await follower.subscriberCount > 0, waits < 24_000 {
                waits += 1
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await follower.subscriberCount == 0, "the stalled subscriber overflowed and left the follower")
            release.withLock { $0 = true }
            try await slow.value
            let text = slowFrames.value.joined()
            let ids = Self.ids(text)
            #expect(ids == Array(1...6), "the event it was writing and the 5 it had buffered")
            #expect(text.contains("event: overflow"))
            #expect(text.contains("\"resume_after\":\"\(ids.count)\""))
            #expect(metrics.subscribers == 0)
        }
    }

    static func ids(_ text: String) -> [Int] {
        text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { Int($0.dropFirst(4)) ?? -1 }
    }
}

/// A response writer that keeps every frame and stops the stream after `stopAfter` events.
struct CollectingWriter: ResponseBodyWriter {
    struct Enough: Error {}

    let frames: Locked<[String]>
    let stopAfter: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        let count = frames.withLock { frames in
            frames.append(String(buffer: buffer))
            return frames.joined().split(separator: "\n").filter { $0.hasPrefix("id: ") }.count
        }
        if count >= stopAfter { throw Enough() }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A response writer that stalls on its first event until `release` turns true, like a client that stopped reading.
struct StalledWriter: ResponseBodyWriter {
    let frames: Locked<[String]>
    let release: Locked<Bool>
    /// Turns true once it holds an event (its subscription is registered and delivering).
    var stalled = Locked(false)

    mutating func write(_ buffer: ByteBuffer) async throws {
        let text = String(buffer: buffer)
        if text.hasPrefix("id: ") { stalled.withLock { $0 = true } }
        while text.hasPrefix("id: ") && !release.value { try await Task.sleep(for: .milliseconds(10)) }
        frames.withLock { $0.append(text) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
