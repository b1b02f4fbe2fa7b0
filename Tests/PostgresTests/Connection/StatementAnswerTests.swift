import Foundation
@testable import Postgres
import Synchronization
import TestSupport
import Testing

/// A statement is sent from the caller's thread and its answer read whenever its socket has something
/// (`SocketReadiness`), or, when large, run on the connection's queue: both must give every answer whole,
/// to the task that asked, and notice a connection that goes away while they wait.
@Suite("Waiting for a statement's answer", .timeLimit(.minutes(1)))
struct StatementAnswerTests {
    @Test("many connections waiting at once each get their own answer")
    func concurrentWaits() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let answers = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
            for index in 0..<24 {
                group.addTask {
                    let connection = try await PostgresConnection.connect(configuration)
                    // Different delays, so the answers arrive in another order than the statements left.
                    let plain = try await connection.query(
                        "SELECT \(index)::integer FROM pg_sleep(\(Double(24 - index) / 400))")
                    let prepared = try await connection.queryPrepared("SELECT \(index)::integer * 2")
                    await connection.close()
                    return (
                        index, try #require(plain.first).decode(Int.self), try #require(prepared.first).decode(Int.self)
                    )
                }
            }
            return try await group.reduce(into: [(Int, Int, Int)]()) { $0.append($1) }
        }
        #expect(answers.count == 24)
        for (index, plain, doubled) in answers {
            #expect(plain == index)
            #expect(doubled == index * 2)
        }
    }

    @Test("tasks sharing one connection take turns, each getting its own answer")
    func sharedConnection() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<32 {
                group.addTask {
                    let rows =
                        index.isMultiple(of: 2)
                        ? try await connection.query("SELECT \(index)::integer FROM pg_sleep(0.002)")
                        : try await connection.queryPrepared("SELECT \(index)::integer")
                    return (index, try #require(rows.first).decode(Int.self))
                }
            }
            return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
        }
        await connection.close()
        #expect(answers.count == 32)
        #expect(answers.allSatisfy { $0.0 == $0.1 })
    }

    @Test("a liveness probe of a shared connection waits for the statement in flight instead of reading its answer")
    func probeWhileInFlight() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let connection = try await PostgresConnection.connect(configuration)
        let pid = try await connection.backendProcessID()
        let watcher = try await PostgresConnection.connect(configuration)
        // The statement waits on a lock the watcher holds, so it stays in flight until the watcher has seen it
        // running, however loaded the machine (a 2 s sleep was missed under CI's load once).
        let lock: Int64 = 730_118_211
        _ = try await watcher.query("SELECT pg_advisory_lock(\(lock))")
        let inFlight = Task { try await connection.query("SELECT \(5)::integer FROM pg_advisory_lock(\(lock))") }
        let running = try await eventually {
            let rows = try await watcher.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND query LIKE 'SELECT $1::integer FROM pg_advisory_lock%' AND state = 'active'"
            )
            return try rows.first?.decode(Int.self) == 1
        }
        // The probe runs while the statement waits for its answer (a reentrant actor sharing its session does this).
        let probe = Task { await connection.isAlive() }
        try await Task.sleep(for: .seconds(1))
        _ = try await watcher.query("SELECT pg_advisory_unlock(\(lock))")
        await watcher.close()
        let alive = await probe.value
        let answer = try await inFlight.value
        await connection.close()
        #expect(running)
        #expect(alive)
        #expect(try #require(answer.first).decode(Int.self) == 5)
    }

    @Test("an answer that arrives in many pieces is read whole")
    func largeAnswer() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        // About 6 MB of rows: far more than one read of the socket takes.
        let rows = try await connection.query(
            "SELECT n, repeat('x', 20) FROM generate_series(1, \(200_000)::integer) AS n")
        await connection.close()
        #expect(rows.count == 200_000)
        let (last, text) = try #require(rows.last).decode((Int, String).self)
        #expect(last == 200_000)
        #expect(text == String(repeating: "x", count: 20))
        #expect(try rows.map { try $0.decode((Int, String).self).0 }.reduce(0, +) == 200_000 * 200_001 / 2)
    }

    #if os(Linux)
        @Test("an answer in many pieces is awaited once: the rest is read on the connection's thread")
        func largeAnswerAwaitedOnce() async throws {
            let waiter = CountingWaiter()
            let connection = try await PostgresConnection.connect(
                try TestDatabase.serverConfiguration(), socketWaiter: waiter)
            // About 2 MB, which the server flushes 8 KiB at a time.
            let rows = try await connection.query(
                "SELECT n, repeat('y', 40) FROM generate_series(1, \(50_000)::integer) AS n")
            let small = try await connection.query("SELECT \(3)::integer")
            let waits = waiter.count
            await connection.close()
            #expect(rows.count == 50_000)
            #expect(try rows.map { try $0.decode((Int, String).self).0 } == Array(1...50_000))
            #expect(try #require(small.first).decode(Int.self) == 3)
            // The task suspended once for each statement, not once for each piece of the large answer.
            #expect(waits == 2)
        }

        @Test("an answer awaited on the caller's thread first needs no suspension; one slower than the bound suspends")
        func blockingWait() async throws {
            let waiter = CountingWaiter()
            let connection = try await PostgresConnection.connect(
                try TestDatabase.serverConfiguration(), socketWaiter: waiter)
            let quickly = AnswerWait.blockingFirst(upTo: .seconds(30))
            // The first call prepares the statement (a prepare always suspends), the second only runs it.
            _ = try await connection.queryPrepared("SELECT \(4)::integer", awaiting: quickly)
            let before = waiter.count
            let quick = try await connection.queryPrepared("SELECT \(4)::integer", awaiting: quickly)
            let afterQuick = waiter.count
            let slow = try await connection.queryPrepared(
                "SELECT \(5)::integer FROM pg_sleep(0.1)", awaiting: .blockingFirst(upTo: .milliseconds(1)))
            let afterSlow = waiter.count
            let suspending = try await connection.queryPrepared("SELECT \(4)::integer")
            let afterSuspending = waiter.count
            await connection.close()
            #expect(try #require(quick.first).decode(Int.self) == 4)
            #expect(try #require(slow.first).decode(Int.self) == 5)
            #expect(try #require(suspending.first).decode(Int.self) == 4)
            #expect(afterQuick == before)
            // Its prepare, then its run: the 0.1 s sleep outlasts the 1 ms on the caller's thread.
            #expect(afterSlow - afterQuick == 2)
            // The default suspends.
            #expect(afterSuspending - afterSlow == 1)
        }
    #endif

    @Test("a backend killed while the caller's thread waits for its answer fails the wait as a lost connection")
    func killedWhileBlocking() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let connection = try await PostgresConnection.connect(configuration)
        let pid = try await connection.backendProcessID()
        let killer = try await PostgresConnection.connect(configuration)
        let waiting = Task {
            try await connection.queryPrepared("SELECT pg_sleep(\(600))", awaiting: .blockingFirst(upTo: .seconds(2)))
        }
        let running = try await eventually {
            let rows = try await killer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND query LIKE 'SELECT pg_sleep%' AND state = 'active'"
            )
            return try rows.first?.decode(Int.self) == 1
        }
        try await killer.query("SELECT pg_terminate_backend(\(pid))")
        await killer.close()
        #expect(running)
        let error = await #expect(throws: PostgresError.self) { try await waiting.value }
        #expect(error?.code == .connectionLost)
        #expect(await connection.isAlive() == false)
        await connection.close()
    }

    @Test("an answer that pauses after its first rows, or fails after them, is read to its end")
    func answerThatPauses() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        // Rows worth ~200 KB leave before the server sleeps, so the answer is part-way when the wait returns.
        let paused = try await connection.query(
            """
            SELECT n, repeat('z', 100), CASE WHEN n = \(2_000)::integer THEN pg_sleep(0.05)::text END
              FROM generate_series(1, \(4_000)::integer) AS n
            """)
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query(
                """
                SELECT n, repeat('z', 100), CASE WHEN n < \(3_000)::integer THEN n ELSE 1 / (n - n) END
                  FROM generate_series(1, \(4_000)::integer) AS n
                """)
        }
        let after = try await connection.queryPrepared("SELECT \(6)::integer * 7")
        await connection.close()
        #expect(paused.count == 4_000)
        #expect(try paused.map { try $0.decode((Int, String, String?).self).0 } == Array(1...4_000))
        #expect(error?.sqlState == "22012")
        #expect(try #require(after.first).decode(Int.self) == 42)
    }

    @Test("a statement larger than the caller's-thread limit runs on the queue and answers the same")
    func largeStatement() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let text = String(repeating: "ab", count: 100_000)
        // The server's own copy of the text, to show the parameter arrived byte for byte.
        let plain = try await connection.query(
            "SELECT length(\(text)::text), md5(\(text)::text) = md5(repeat('ab', \(100_000)::integer))")
        let prepared = try await connection.queryPrepared("SELECT length(\(text)::text)")
        await connection.close()
        #expect(try #require(plain.first).decode((Int, Bool).self) == (200_000, true))
        #expect(try #require(prepared.first).decode(Int.self) == 200_000)
    }

    @Test("a backend killed while its statement runs fails the wait as a lost connection, and it stays closed")
    func killedWhileWaiting() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let connection = try await PostgresConnection.connect(configuration)
        let pid = try await connection.backendProcessID()
        let killer = try await PostgresConnection.connect(configuration)
        let waiting = Task { try await connection.query("SELECT pg_sleep(600)") }
        let running = try await eventually {
            let rows = try await killer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND query LIKE 'SELECT pg_sleep%' AND state = 'active'"
            )
            return try rows.first?.decode(Int.self) == 1
        }
        try await killer.query("SELECT pg_terminate_backend(\(pid))")
        await killer.close()
        #expect(running)
        let error = await #expect(throws: PostgresError.self) { try await waiting.value }
        #expect(error?.code == .connectionLost)
        #expect(await connection.isAlive() == false)
        await connection.close()
    }

    @Test("a server error answers the statement, and the connection is usable after it")
    func errorThenMore() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT 1 / \(0)::integer")
        }
        #expect(error?.sqlState == "22012")
        let preparedError = await #expect(throws: PostgresError.self) {
            try await connection.queryPrepared("SELECT no_such_column FROM pg_class WHERE oid = \(0)::oid")
        }
        #expect(preparedError?.sqlState == "42703")
        let after = try await connection.queryPrepared("SELECT \(41)::integer + 1")
        await connection.close()
        #expect(try #require(after.first).decode(Int.self) == 42)
    }
}

#if os(Linux)
    /// Suspends a task in `SocketReadiness`, as a connection's own waiter does, and counts how often it did.
    final class CountingWaiter: SocketWaiter {
        private let waits = Mutex(0)

        var count: Int { waits.withLock { $0 } }

        func readable(_ socket: Int32) async {
            waits.withLock { $0 += 1 }
            await SocketReadiness.shared.readable(socket)
        }
    }
#endif
