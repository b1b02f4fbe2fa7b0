import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Thread-safe box for results gathered by concurrent tasks.
actor Collected<T: Sendable> {
    var items: [T] = []
    func append(_ item: T) { items.append(item) }
    func append(contentsOf more: [T]) { items += more }
}

@Suite("Reading all events never skips one")
struct ReadAllOrderTests {
    @Test("a naive position reader loses an event that commits late; Stipple's reader does not")
    func skipInterleaving() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let writerA = try await PostgresConnection.connect(database.configuration)
            let reader = try await PostgresConnection.connect(database.configuration)

            // First the failure this design exists to prevent, on a plain sequence-numbered table:
            // A takes position 1 and stays open, B takes position 2 and commits, the reader sees 2,
            // moves its checkpoint to 2, and event 1 (committed afterwards) is never read.
            try await reader.execute("CREATE TABLE naive (position bigserial PRIMARY KEY, body text)")
            try await writerA.execute("BEGIN")
            try await writerA.execute("INSERT INTO naive (body) VALUES ('A')")
            _ = try await database.pool.withConnection { try await $0.execute("INSERT INTO naive (body) VALUES ('B')") }
            let naiveFirst = try await reader.query("SELECT position FROM naive WHERE position > 0 ORDER BY position")
                .map { try $0.decode(Int64.self, at: 0) }
            try await writerA.execute("COMMIT")
            let naiveCheckpoint = naiveFirst.last ?? 0
            let naiveSecond = try await reader.query(
                "SELECT position FROM naive WHERE position > \(naiveCheckpoint) ORDER BY position"
            ).map { try $0.decode(Int64.self, at: 0) }
            #expect(naiveFirst == [2])
            #expect(naiveSecond.isEmpty, "the naive reader never sees A's event at position 1")

            // The same interleaving against Stipple: A's append is open (uncommitted) in a transaction.
            try await writerA.execute("BEGIN")
            try await writerA.query(
                """
                SELECT stipple_append_batch('[{"appends": [{"stream": "client-a", "expected": "any", "events":
                  [{"id": "00000000-0000-4000-8000-00000000000a", "type": "a", "schema_version": 1,
                    "data": {}, "metadata": {}}]}]}]'::jsonb)
                """)
            // B appends through the store meanwhile.
            let writerB = Task {
                try await store.append([event("b")], to: try stream("client-b"), expectedVersion: .any)
            }
            try await Task.sleep(for: .milliseconds(300))
            // The reader reads while A is open: it sees nothing, so its checkpoint stays at 0 ...
            let during = try await store.readAll(after: .start)
            #expect(during.events.isEmpty)
            #expect(during.next == .start)
            // ... because B waits for A: positions are handed out in commit order.
            try await writerA.execute("COMMIT")
            let resultB = try await writerB.value
            let after = try await store.readAll(after: during.next)
            #expect(after.events.map(\.type) == ["a", "b"])
            #expect(after.events.map(\.position) == [1, 2])
            #expect(resultB.positions == [2])
        }
    }

    @Test("a live subscriber sees every event of 8 concurrent writers exactly once, in log order")
    func randomisedWritersAndLiveSubscriber() async throws {
        try await TestDatabase.with(connections: 12) { database in
            let store = database.store
            var generator = SystemRandomNumberGenerator()
            let plan = (0..<8).map { _ in (0..<25).map { _ in Int.random(in: 1...3, using: &generator) } }
            let total = plan.flatMap { $0 }.reduce(0, +)
            let seen = Collected<RecordedEvent>()
            let subscriber = Task {
                for try await event in store.subscribe(after: .start) {
                    await seen.append(event)
                    if await seen.items.count >= total { break }
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (writer, sizes) in plan.enumerated() {
                    group.addTask {
                        for (index, size) in sizes.enumerated() {
                            let events = (0..<size).map { _ in
                                event("w.appended", #"{"writer": \#(writer), "i": \#(index)}"#)
                            }
                            try await store.append(events, to: try stream("client-\(writer)"), expectedVersion: .any)
                            if Int.random(in: 0..<4) == 0 {
                                try await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let finished = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await subscriber.value) != nil }
                group.addTask {
                    try? await Task.sleep(for: .seconds(30))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            subscriber.cancel()
            #expect(finished, "the subscriber did not see all \(total) events in time")
            let full = try await store.readAll(limit: 10_000).events
            let delivered = await seen.items
            #expect(full.count == total)
            #expect(delivered.map(\.id) == full.map(\.id))
            #expect(delivered.map(\.position) == Array(1...Int64(total)))
            #expect(Set(delivered.map(\.id)).count == total)
        }
    }

    @Test("a subscription resumes from a checkpoint and survives losing its connection")
    func resumesAndReconnects() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            for index in 0..<5 {
                try await store.append([event()], to: try stream("client-\(index)"), expectedVersion: .any)
            }
            var iterator = store.subscribe(after: Checkpoint(position: 3)).makeAsyncIterator()
            #expect(try await iterator.next()?.position == 4)
            #expect(try await iterator.next()?.position == 5)
            // Kill the listening connection while the subscriber waits, then append.
            let killer = try await PostgresConnection.connect(database.configuration)
            try await killer.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
                """)
            try await store.append([event("after.kill")], to: try stream("client-x"), expectedVersion: .any)
            let next = try await iterator.next()
            #expect(next?.type == "after.kill")
            #expect(next?.position == 6)
            #expect(iterator.checkpoint == Checkpoint(position: 6))
        }
    }
}
