import EventStore
import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Leases between processes")
struct LeaseHolderTests {
    @Test("leases asked for at the same time by a fresh holder live on its one session, and all are held")
    func concurrentAcquires() async throws {
        try await TestDatabase.with { database in
            for _ in 0..<10 {
                let holder = LeaseHolder(configuration: database.configuration)
                async let first = holder.acquire("webhook:a")
                async let second = holder.acquire("projections")
                async let third = holder.acquire("webhook:b")
                let taken = try await [first, second, third]
                #expect(taken == [true, true, true])
                // Before the holder opened its connection once, each caller could open its own; the
                // leases taken on a connection the holder then dropped were lost while it named them.
                #expect(await holder.verify() == ["webhook:a", "projections", "webhook:b"])
                #expect(try await database.leaseBackends().count == 1)
                await holder.close()
                // The server ends the closed session a moment later; then its locks are free.
                #expect(try await eventually(timeout: .seconds(10)) { try await database.leaseBackends().isEmpty })
            }
        }
    }

    @Test("a lease is one holder's; when its session is terminated, verify answers without it and another takes it")
    func terminatedSession() async throws {
        try await TestDatabase.with { database in
            let first = LeaseHolder(configuration: database.configuration)
            let second = LeaseHolder(configuration: database.configuration)
            #expect(try await first.acquire("projections"))
            #expect(try await !second.acquire("projections"))
            let pid = try #require(try await database.leaseBackends().first)
            _ = try await database.pool.withConnection { connection in
                try await connection.query("SELECT pg_terminate_backend(\(pid))")
            }
            #expect(await first.verify().isEmpty)
            #expect(try await eventually(timeout: .seconds(10)) { try await second.acquire("projections") })
            // The first takes it no more until the second lets it go; then on a new session.
            #expect(try await !first.acquire("projections"))
            await second.release("projections")
            #expect(try await first.acquire("projections"))
            #expect(try await database.leaseBackends() != [pid])
            await first.close()
            await second.close()
        }
    }
}
