import EventStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import StippleServer

/// A real server on 127.0.0.1 (free port), driven over TCP.
@Suite("A live server")
struct LiveServerTests {
    /// Runs the app on a free loopback port, hands `body` the port, then shuts down gracefully.
    static func withServer<T: Sendable>(
        _ fixture: ServerFixture, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await LoopbackServer(app: fixture.app).withServer(body)
    }

    struct Seen: Sendable, Hashable {
        var token: String
        var id: String
    }

    @Test(
        "8 writers through the API while 3 SSE subscribers follow (one resuming with Last-Event-ID): each sees every event in order",
        .timeLimit(.minutes(8)))
    func writersAndSubscribers() async throws {
        let configuration = StippleServerConfiguration(
            port: 0, subscriptions: .init(heartbeat: .milliseconds(500)), runProjections: false)
        try await ServerFixture.with(configuration: configuration) { fixture in
            let key = try #require(fixture.keys[.operator])
            let reader = try #require(fixture.keys[.integrator])
            try await Self.withServer(fixture) { port in
                let target = Locked<Int?>(nil)
                let writersPerClient = 8
                let requestsPerWriter = 12
                let latencies = Locked<[Double]>([])

                /// Follows from `after` until `target` events have been seen in total (or `stopAfter` here).
                @Sendable func follow(after: String?, already: Int, stopAfter: Int?, measure: Bool) async throws
                    -> (seen: [Seen], heartbeats: Int)
                {
                    let seen = Locked<[Seen]>([])
                    let heartbeats = Locked<Int>(0)
                    var headers = ["Authorization": "Bearer \(reader)"]
                    if let after { headers["Last-Event-ID"] = after }
                    let status = try await RawHTTPClient.stream(
                        port: port, path: "/v1/subscribe", headers: headers, timeout: .seconds(90)
                    ) { frame in
                        if frame.isComment {
                            heartbeats.withLock { $0 += 1 }
                        } else if let id = frame.id,
                            let object = try? JSONSerialization.jsonObject(with: Data(frame.data.utf8))
                                as? [String: Any], let eventID = object["id"] as? String
                        {
                            seen.withLock { $0.append(Seen(token: id, id: eventID)) }
                            if measure, let recorded = object["recorded_at"] as? String,
                                let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(
                                    recorded)
                            {
                                latencies.withLock { $0.append(frame.receivedAt.timeIntervalSince(date)) }
                            }
                        }
                        let count = seen.withLock { $0.count }
                        if let stopAfter, count >= stopAfter { return false }
                        if let total = target.withLock({ $0 }), already + count >= total { return false }
                        return true
                    }
                    #expect(status == 200)
                    return (seen.withLock { $0 }, heartbeats.withLock { $0 })
                }

                let followAndResume: @Sendable () async throws -> [Seen] = {
                    let part = try await follow(after: nil, already: 0, stopAfter: 15, measure: false).seen
                    try await Task.sleep(for: .milliseconds(300))
                    let rest = try await follow(
                        after: part.last?.token, already: part.count, stopAfter: nil, measure: false
                    ).seen
                    return part + rest
                }

                async let first = follow(after: nil, already: 0, stopAfter: nil, measure: true)
                async let second = follow(after: nil, already: 0, stopAfter: nil, measure: false)
                async let resumed = followAndResume()

                try await Task.sleep(for: .milliseconds(300))
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for _ in 0..<writersPerClient {
                        writers.addTask {
                            let id = UUID()
                            let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
                            let registered = try await RawHTTPClient.send(
                                port: port, "POST", "/v1/clients", headers: headers,
                                body: Data(Payloads.client(id).readableBytesView))
                            #expect(registered.status == 201)
                            for _ in 1..<requestsPerWriter {
                                let paid = try await RawHTTPClient.send(
                                    port: port, "POST", "/v1/clients/\(id.uuidString.lowercased())/payments",
                                    headers: headers, body: Data(Payloads.payment(minor: 1000).readableBytesView))
                                #expect(paid.status == 201)
                            }
                        }
                    }
                    try await writers.waitForAll()
                }
                let stored = try await fixture.database.store.readAll(limit: 10_000).events
                #expect(stored.count == writersPerClient * requestsPerWriter)
                target.withLock { $0 = stored.count }
                let expected = stored.map { Seen(token: $0.checkpoint.token, id: $0.id.uuidString.lowercased()) }

                let (a, b, c) = try await (first, second, resumed)
                #expect(a.seen == expected)
                #expect(b.seen == expected)
                #expect(c == expected)
                #expect(a.heartbeats > 0)

                let sorted = latencies.withLock { $0 }.sorted()
                if !sorted.isEmpty {
                    let p50 = sorted[sorted.count / 2] * 1000
                    let p95 = sorted[min(sorted.count - 1, sorted.count * 95 / 100)] * 1000
                    let worst = (sorted.last ?? 0) * 1000
                    print(
                        "SSE delivery latency (append → subscriber) over \(sorted.count) events: "
                            + "p50 \(Int(p50)) ms, p95 \(Int(p95)) ms, max \(Int(worst)) ms")
                }

                let metrics = try await RawHTTPClient.send(port: port, "GET", "/metrics")
                #expect(String(decoding: metrics.body, as: UTF8.self).contains("stipple_appends_total 96"))
                let health = try await RawHTTPClient.send(port: port, "GET", "/health")
                #expect(health.status == 200)
                #expect(health.json["head"] as? Int == 96)

                // Each subscription recorded, once per client, that its key's holder read that client's events.
                let clients = Set(stored.map(\.stream.rawValue))
                let reads = try await AccessLog(pool: fixture.database.pool).entries(limit: 10_000).filter {
                    $0.action == "subscription.read"
                }
                #expect(reads.allSatisfy { $0.actor == "test-integrator" && $0.channel == .api })
                #expect(Set(reads.map(\.subject)) == clients)
                // Three subscriptions, one of them resumed (a fourth connection).
                #expect(reads.count >= 3 * clients.count && reads.count <= 4 * clients.count)
            }
        }
    }
}

extension LiveServerTests {
    @Test(
        "a graceful shutdown ends open subscriptions with a shutdown event instead of hanging", .timeLimit(.minutes(8)))
    func shutdownEndsSubscriptions() async throws {
        let configuration = StippleServerConfiguration(port: 0, runProjections: false)
        try await ServerFixture.with(configuration: configuration) { fixture in
            let reader = try #require(fixture.keys[.auditor])
            let port = Locked<Int?>(nil)
            var logger = Logger(label: "stipple.test")
            logger.logLevel = .warning
            let app = fixture.app.buildApplication(logger: logger) { value in port.withLock { $0 = value } }
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var bound: Int?
                for _ in 0..<200 where bound == nil {
                    try await Task.sleep(for: .milliseconds(50))
                    bound = port.value
                }
                let serverPort = try #require(bound)
                let frames = Locked<[RawHTTPClient.SSEFrame]>([])
                tasks.addTask {
                    _ = try await RawHTTPClient.stream(
                        port: serverPort, path: "/v1/subscribe", headers: ["Authorization": "Bearer \(reader)"],
                        timeout: .seconds(30)
                    ) { frame in
                        frames.withLock { $0.append(frame) }
                        return frame.event != "shutdown"
                    }
                }
                for _ in 0..<100 where frames.value.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                let started = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(frames.value.contains { $0.event == "shutdown" })
            }
        }
    }
}

extension LiveServerTests {
    @Test("Last-Event-ID wins over ?after, and ?category= filters the stream", .timeLimit(.minutes(8)))
    func resumeAndCategory() async throws {
        try await ServerFixture.with(configuration: StippleServerConfiguration(port: 0, runProjections: false)) {
            fixture in
            let store = fixture.database.store
            for index in 0..<10 {
                try await store.append(
                    [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")],
                    to: try .init(index % 2 == 0 ? "thing-a" : "other-b"), expectedVersion: .any)
            }
            let expected = try await store.readAll(after: Checkpoint(position: 4), category: "thing").events.map {
                $0.checkpoint.token
            }
            let reader = try #require(fixture.keys[.auditor])
            let seen = try await Self.withServer(fixture) { port in
                let seen = Locked<[String]>([])
                _ = try await RawHTTPClient.stream(
                    port: port, path: "/v1/subscribe?after=0&category=thing",
                    headers: ["Authorization": "Bearer \(reader)", "Last-Event-ID": "4"], timeout: .seconds(20)
                ) { frame in
                    if let id = frame.id { seen.withLock { $0.append(id) } }
                    return seen.value.count < expected.count
                }
                return seen.value
            }
            #expect(seen == expected)
            #expect(seen == ["5", "7", "9"])
        }
    }
}

@Suite("Slow subscribers")
struct SlowSubscriberTests {
    @Test(
        "a subscriber that falls a buffer behind is disconnected with a reason and the token to resume after",
        .timeLimit(.minutes(8)))
    func overflow() async throws {
        try await TestDatabaseBacked.run { store in
            for index in 0..<60 {
                try await store.append(
                    [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")], to: try .init("thing-\(index % 3)"),
                    expectedVersion: .any)
            }
            let metrics = Metrics()
            let configuration = SubscriptionStreamer.Configuration(
                bufferLimit: 5, heartbeat: .seconds(30), batchSize: 50)
            let follower = SubscriptionStreamer.follower(store: store, configuration: configuration)
            let streamer = SubscriptionStreamer(
                store: store, configuration: configuration, metrics: metrics, follower: follower)
            let response = try streamer.response(after: .start, category: nil)
            let frames = Locked<[String]>([])
            let release = Locked(false)
            let stalled = Locked(false)
            let reading = Task {
                try await response.body.write(StalledWriter(frames: frames, release: release, stalled: stalled))
            }
            // The writer takes its first event and stops reading; the subscription reads the 60 on its own
            // (they precede it), fills the buffer of 5 and overflows, which drops its mailbox. Only then does the
            // writer read on: released earlier (a feeder that lags on a loaded machine), it would keep up with
            // the buffer, no overflow would come and the stream would never end.
            var waits = 0
            while !stalled.value, waits < 24_000 {
                waits += 1
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stalled.value, "the writer got its first event")
            while await follower.subscriberCount > 0, waits < 48_000 {
                waits += 1
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await follower.subscriberCount == 0, "the subscription overflowed and left the follower")
            release.withLock { $0 = true }
            try await reading.value
            let text = frames.withLock { $0 }.joined()
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { Int($0.dropFirst(4)) ?? -1 }
            #expect(!ids.isEmpty && ids.count < 60)
            #expect(ids == Array(1...ids.count))
            #expect(text.contains("event: overflow"))
            #expect(text.contains("\"resume_after\":\"\(ids.count)\""))
            #expect(metrics.subscribers == 0)
        }
    }
}

/// A bare store on a fresh database.
enum TestDatabaseBacked {
    static func run(_ body: (EventStore) async throws -> Void) async throws {
        try await ServerFixture.with { fixture in try await body(fixture.database.store) }
    }
}
