import EventStore
import Foundation
import Postgres
import Testing
import TestSupport

@Suite("One log follower shared by many subscribers")
struct LogFollowerTests {
    static let categories = ["alpha", "beta", "gamma"]

    /// Reads `subscription` until it has delivered the `end.marker` event of every category it follows.
    static func collect(_ subscription: LogFollower.Subscription, markers: Int) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var seenMarkers = 0
        for try await event in subscription {
            events.append(event)
            if event.type == "end.marker" {
                seenMarkers += 1
                if seenMarkers == markers { break }
            }
        }
        return events
    }

    /// What a subscriber after `start` following `category` must see: the store's own answer.
    static func expected(_ store: EventStore, after start: Checkpoint, category: String?) async throws
        -> [RecordedEvent]
    {
        try await store.readAll(after: start, limit: 10_000, category: category).events
    }

    /// Appends an `end.marker` to each category, so every subscriber knows where to stop.
    static func appendMarkers(_ store: EventStore) async throws {
        for category in categories {
            try await store.append([event("end.marker")], to: try stream("\(category)-end"), expectedVersion: .any)
        }
    }

    @Test(
        "20 subscribers with different categories and start points, joining while 4 writers append: each gets exactly its category after its start, in order, once",
        .timeLimit(.minutes(8)))
    func manySubscribersWhileWriting() async throws {
        try await TestDatabase.with(connections: 12) { database in
            let store = database.store
            // Small pages, so catch-up, the shared feed and the hand-off between them all happen often.
            let follower = LogFollower(store: store, batchSize: 7)
            for index in 0..<30 {
                let category = Self.categories[index % 3]
                try await store.append([event()], to: try stream("\(category)-pre\(index % 4)"), expectedVersion: .any)
            }
            let runs = try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<60 {
                            let category = Self.categories[(index + writer) % 3]
                            try await store.append(
                                [event("w.appended", #"{"writer": \#(writer), "i": \#(index)}"#)],
                                to: try stream("\(category)-w\(writer)"), expectedVersion: .any)
                            if index % 5 == 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 1...8))) }
                        }
                    }
                }
                // Subscribers join one by one while the writers run, each from a random point of the log so far.
                var runs: [(Checkpoint, String?, Task<[RecordedEvent], any Error>)] = []
                for index in 0..<20 {
                    let category: String? = index % 4 == 3 ? nil : Self.categories[index % 4]
                    let head = try await store.headPosition()
                    let start = Checkpoint(position: Int64.random(in: 0...head))
                    let subscription = follower.subscribe(after: start, category: category, batchSize: 5)
                    runs.append(
                        (
                            start, category,
                            Task { try await Self.collect(subscription, markers: category == nil ? 3 : 1) }
                        ))
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...15)))
                }
                try await group.waitForAll()
                return runs
            }
            try await Self.appendMarkers(store)
            for (start, category, task) in runs {
                let delivered = try await task.value
                let expected = try await Self.expected(store, after: start, category: category)
                #expect(
                    delivered.map(\.position) == expected.map(\.position),
                    "after \(start) in \(category ?? "all"): \(delivered.count) delivered, \(expected.count) stored")
                #expect(delivered.map(\.id) == expected.map(\.id))
            }
            // The writers' 240 events and the markers were all among them.
            #expect(try await store.headPosition() == 30 + 240 + 3)
            await follower.close()
        }
    }

    @Test(
        "a subscriber joining exactly while events commit (the hand-off from its own reads to the shared feed) misses nothing",
        .timeLimit(.minutes(8)))
    func handOffWhileCommitting() async throws {
        try await TestDatabase.with(connections: 12) { database in
            let store = database.store
            let follower = LogFollower(store: store, batchSize: 3)
            // One subscriber keeps the shared feed running the whole time.
            let anchor = follower.subscribe(after: .start, category: nil)
            let anchorTask = Task { try await Self.collect(anchor, markers: 3) }
            let writing = Task {
                for index in 0..<300 {
                    try await store.append(
                        [event("w.appended", #"{"i": \#(index)}"#)], to: try stream("alpha-\(index % 5)"),
                        expectedVersion: .any)
                }
            }
            // Join repeatedly while the writer commits: each joins mid-commit at a different point.
            var joins: [(Checkpoint, Task<[RecordedEvent], any Error>)] = []
            for round in 0..<25 {
                let head = try await store.headPosition()
                let start = Checkpoint(position: max(0, head - Int64(round % 4)))
                let subscription = follower.subscribe(after: start, category: "alpha", batchSize: 2)
                joins.append((start, Task { try await Self.collect(subscription, markers: 1) }))
                await Task.yield()
            }
            try await writing.value
            try await Self.appendMarkers(store)
            for (start, task) in joins {
                let delivered = try await task.value
                let expected = try await Self.expected(store, after: start, category: "alpha")
                #expect(delivered.map(\.position) == expected.map(\.position), "joined after \(start)")
            }
            let all = try await anchorTask.value
            let head = try await store.headPosition()
            #expect(head == 303)
            #expect(all.map(\.position) == Array(1...head))
            await follower.close()
        }
    }

    @Test(
        "a stalled subscriber does not hold up the others; its mailbox overflows and it catches up by itself without loss",
        .timeLimit(.minutes(8)))
    func stalledSubscriber() async throws {
        try await TestDatabase.with(connections: 12) { database in
            let store = database.store
            let follower = LogFollower(store: store, batchSize: 10, mailboxLimit: 5)
            var stalled = follower.subscribe(after: .start, category: nil).makeAsyncIterator()
            try await store.append([event("first")], to: try stream("alpha-0"), expectedVersion: .any)
            // Registered and fed once; then it stops pulling.
            #expect(try await stalled.next()?.type == "first")
            let others = (0..<3).map { _ in
                let subscription = follower.subscribe(after: Checkpoint(position: 1), category: nil)
                return Task { try await Self.collect(subscription, markers: 3) }
            }
            for index in 0..<100 {
                try await store.append(
                    [event("w.appended", #"{"i": \#(index)}"#)], to: try stream("beta-\(index % 3)"),
                    expectedVersion: .any)
            }
            try await Self.appendMarkers(store)
            // The others finish while the stalled one still has not pulled a second event.
            for other in others {
                #expect(try await other.value.map(\.position) == Array(2...104))
            }
            // Far more than its mailbox holds arrived meanwhile; it still gets each one, once, in order.
            var rest: [Int64] = []
            while rest.count < 103, let event = try await stalled.next() { rest.append(event.position) }
            #expect(rest == Array(2...104))
            await follower.close()
        }
    }

    @Test(
        "20 subscribers share one listening connection and the pool: connections do not grow with subscribers",
        .timeLimit(.minutes(8)))
    func connectionsDoNotGrow() async throws {
        try await TestDatabase.with(connections: 4) { database in
            let store = database.store
            let follower = LogFollower(store: store)
            let probe = try await PostgresConnection.connect(database.configuration)
            func connections() async throws -> (listening: Int, all: Int) {
                let rows = try await probe.query(
                    """
                    SELECT count(*) FILTER (WHERE query LIKE 'LISTEN%'), count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()
                    """)
                let row = try #require(rows.first)
                return (Int(try row.decode(Int64.self, at: 0)), Int(try row.decode(Int64.self, at: 1)))
            }
            let tasks = (0..<20).map { index in
                let subscription = follower.subscribe(
                    after: .start, category: index % 2 == 0 ? nil : Self.categories[index % 3])
                return Task { try await Self.collect(subscription, markers: index % 2 == 0 ? 3 : 1) }
            }
            for index in 0..<40 {
                try await store.append(
                    [event()], to: try stream("\(Self.categories[index % 3])-\(index % 4)"), expectedVersion: .any)
            }
            // Wait until all 20 have registered and the shared reader has caught up with the 40 events.
            for _ in 0..<500 where await follower.subscriberCount < 20 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await follower.subscriberCount == 20)
            #expect(await follower.isReading)
            // A connection the pool has just closed (as not reusable) is listed until its server process has
            // exited, which can take a moment on a loaded machine: look a few times (20 subscribers holding a
            // connection each would stay far above the bound).
            var during = try await connections()
            for _ in 0..<40 where during.all > 4 + 1 {
                try await Task.sleep(for: .milliseconds(50))
                during = try await connections()
            }
            #expect(during.listening == 1, "one LISTEN connection for 20 subscribers, not one each")
            #expect(during.all <= 4 + 1, "the pool's 4 connections and the listener: \(during.all)")
            try await Self.appendMarkers(store)
            for task in tasks { _ = try await task.value }
            // The last subscriber gone, the shared reader stops and lets its connection go.
            for _ in 0..<500 where await follower.isReading { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await follower.isReading == false)
            await probe.close()
            await follower.close()
        }
    }

    @Test("the shared reader rides out losing its connection: subscribers miss nothing", .timeLimit(.minutes(8)))
    func survivesLosingTheListener() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let follower = LogFollower(store: store, batchSize: 4)
            let subscription = follower.subscribe(after: .start, category: "alpha")
            let task = Task { try await Self.collect(subscription, markers: 1) }
            for index in 0..<5 {
                try await store.append([event()], to: try stream("alpha-\(index)"), expectedVersion: .any)
            }
            for _ in 0..<500 where await follower.subscriberCount < 1 { try await Task.sleep(for: .milliseconds(10)) }
            let killer = try await PostgresConnection.connect(database.configuration)
            try await killer.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
                """)
            await killer.close()
            for index in 0..<5 {
                try await store.append([event("after.kill")], to: try stream("alpha-\(index)"), expectedVersion: .any)
            }
            try await Self.appendMarkers(store)
            let delivered = try await task.value
            let expected = try await Self.expected(store, after: .start, category: "alpha")
            #expect(delivered.map(\.position) == expected.map(\.position))
            #expect(delivered.filter { $0.type == "after.kill" }.count == 5)
            await follower.close()
        }
    }
}
