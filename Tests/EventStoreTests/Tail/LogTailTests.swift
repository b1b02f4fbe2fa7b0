import EventStore
import Foundation
import Postgres
import Testing
import TestSupport

@Suite("One log tail over the store's one listener")
struct LogTailTests {
    /// LISTEN connections to `database` right now (the probe's own excluded).
    static func listening(_ probe: PostgresConnection) async throws -> Int {
        let rows = try await probe.query(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
            """)
        return Int(try #require(rows.first).decode(Int64.self, at: 0))
    }

    @Test(
        "subscriptions, a shared follower and bare tails in one process all wait on one LISTEN connection and all wake on an append",
        .timeLimit(.minutes(8)))
    func oneListenerForEveryTail() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let follower = LogFollower(store: store)
            let probe = try await PostgresConnection.connect(database.configuration)
            let subscriptions = (0..<3).map { _ in
                let subscription = store.subscribe(after: .start)
                return Task { () -> Int64 in
                    for try await event in subscription { return event.position }
                    return -1
                }
            }
            let shared = (0..<3).map { _ in
                let subscription = follower.subscribe(after: .start, category: "alpha")
                return Task { () -> Int64 in
                    for try await event in subscription { return event.position }
                    return -1
                }
            }
            let bare = Task { () -> [RecordedEvent] in
                var tail = LogTail(store: store, idlePoll: .seconds(30))
                while true {
                    let page = try await tail.nextPage(after: .start, limit: 10)
                    if !page.isEmpty { return page }
                }
            }
            // Everyone is waiting before the append: each must be woken by its notification.
            for _ in 0..<500 where await store.notifier.waiting < 5 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await Self.listening(probe) == 1)
            try await store.append([event()], to: try stream("alpha-1"), expectedVersion: .any)
            for task in subscriptions + shared { #expect(try await task.value == 1) }
            #expect(try await bare.value.map(\.position) == [1])
            #expect(try await Self.listening(probe) == 1)
            #expect(await store.notifier.connectionsOpened == 1)
            await follower.close()
            await probe.close()
        }
    }

    @Test("a tail waiting for appends ends at once when its task is cancelled (no wait for the poll timeout)")
    func cancellationIsPrompt() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let waiting = Task { () -> Bool in
                var tail = LogTail(store: store, idlePoll: .seconds(60))
                do {
                    _ = try await tail.nextPage(after: .start, limit: 10)
                    return false
                } catch is CancellationError {
                    return true
                }
            }
            for _ in 0..<500 where await store.notifier.waiting < 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await store.notifier.waiting == 1)
            let start = ContinuousClock.now
            waiting.cancel()
            #expect(try await waiting.value)
            // Well inside the 60 s poll it would otherwise wait out (with room for a loaded machine).
            #expect(ContinuousClock.now - start < .seconds(20), "ended after \(ContinuousClock.now - start)")
        }
    }

    @Test("connection problems are recognised however they are wrapped; other errors are not")
    func connectionProblem() {
        let lost = PostgresError(code: .connectionLost, message: "gone")
        #expect(EventStoreError.isConnectionProblem(lost))
        #expect(EventStoreError.isConnectionProblem(EventStoreError.database(lost)))
        #expect(EventStoreError.isConnectionProblem(AuditError.database(lost)))
        #expect(EventStoreError.isConnectionProblem(PostgresError(code: .server, message: "x", sqlState: "57P01")))
        #expect(!EventStoreError.isConnectionProblem(PostgresError(code: .server, message: "x", sqlState: "23505")))
        #expect(!EventStoreError.isConnectionProblem(EventStoreError.noEvents(stream: "a-1")))
        #expect(!EventStoreError.isConnectionProblem(CancellationError()))
    }

    @Test("the reconnect backoff starts at 50 ms, doubles, stops at 2 s and resets")
    func backoff() async {
        let waits = await Task { () -> [Duration] in
            // Cancelled, so each wait returns at once while the schedule still advances.
            withUnsafeCurrentTask { $0?.cancel() }
            var backoff = ReconnectBackoff()
            var seen: [Duration] = []
            for _ in 0..<8 {
                seen.append(backoff.current)
                await backoff.wait()
            }
            backoff.reset()
            seen.append(backoff.current)
            return seen
        }.value
        #expect(waits == [50, 100, 200, 400, 800, 1600, 2000, 2000, 50].map { .milliseconds($0) })
    }
}
