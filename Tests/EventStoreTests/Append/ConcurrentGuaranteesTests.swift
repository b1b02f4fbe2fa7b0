import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// The log's guarantees under 8 concurrent writers, whichever append path the server takes (a lone
/// request to one stream, a group, one request at a time): gapless positions in commit order, the hash
/// chain over every event, idempotent event ids (a retry racing its original writes nothing twice),
/// expected versions, atomic multi-stream appends. The writers use two stores over two pools, as two
/// server processes would: each store commits its own writers' appends in groups, so the two race on
/// the server, lone appends included.
@Suite("Appending with 8 concurrent writers")
struct ConcurrentGuaranteesTests {
    /// What one writer did in one round, to check against the log afterwards.
    struct Round: Sendable {
        var single: AppendResult
        var pair: [AppendResult]
        var retried: (AppendResult, AppendResult)
        var staleRefused: Bool
    }

    @Test("8 writers leave a gapless, chained log with no duplicate after racing retries and every version kept")
    func eightWriters() async throws {
        try await TestDatabase.with { database in
            let otherPool = ConnectionPool(configuration: database.configuration, maximumConnections: 4)
            let stores = [database.store, EventStore(pool: otherPool)]
            let rounds = 12
            let results: [Round]
            do {
                results = try await Self.race(stores: stores, rounds: rounds)
            } catch {
                await otherPool.close()
                throw error
            }
            await otherPool.close()
            #expect(results.count == 8 * rounds)

            // Gapless positions 1...N, every event id once.
            let expected = Int64(8 * rounds * (1 + 3 + 2))
            let shape = try await database.pool.withConnection { connection in
                try await connection.query(
                    "SELECT count(*), count(DISTINCT event_id), min(position), max(position) FROM events"
                ).first.map { row in
                    (
                        try row.decode(Int64.self, at: 0), try row.decode(Int64.self, at: 1),
                        try row.decode(Int64.self, at: 2), try row.decode(Int64.self, at: 3)
                    )
                }
            }
            let (count, distinct, lowest, highest) = try #require(shape)
            #expect(count == expected, "every append once, no retry written twice")
            #expect(distinct == count)
            #expect(lowest == 1 && highest == count, "no gap")
            #expect(try await database.store.headPosition() == count)

            // Every stream's versions 0...n-1.
            let gappy = try await database.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM (SELECT stream FROM events GROUP BY stream
                                          HAVING min(version) <> 0 OR max(version) <> count(*) - 1) s
                    """
                ).first?.decode(Int64.self, at: 0)
            }
            #expect(gappy == 0)

            for round in results {
                #expect(round.staleRefused)
                // A multi-stream append's events are consecutive positions, in request order.
                let positions = round.pair.flatMap(\.positions)
                #expect(positions == Array(positions[0]..<(positions[0] + 3)))
                // The racing retry: the same positions, exactly one of the two written.
                #expect(round.retried.0.positions == round.retried.1.positions)
                #expect(round.retried.0.positions.count == 2)
                #expect(round.retried.0.wasDuplicate != round.retried.1.wasDuplicate)
            }

            // The chain links every event, in position order.
            let report = try await ChainVerifier(pool: database.pool).verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == Int(count))
        }
    }

    /// Each writer's rounds, writers split over `stores`.
    static func race(stores: [EventStore], rounds: Int) async throws -> [Round] {
        try await withThrowingTaskGroup(of: [Round].self) { group in
            for writer in 0..<8 {
                let store = stores[writer % 2]
                let otherStore = stores[(writer + 1) % 2]
                group.addTask {
                    let own = try stream("client-w\(writer)")
                    // Two writers share each pair stream, appended to with `.any` beside their own.
                    let shared = try stream("client-pair\(writer / 2)")
                    var version: Int? = nil
                    var done: [Round] = []
                    for round in 0..<rounds {
                        let single = try await store.append(
                            [event("thing.happened", #"{"writer": \#(writer), "round": \#(round)}"#)], to: own,
                            expectedVersion: version.map { .exact($0) } ?? .noStream)
                        version = single.streamVersion
                        // A stale expectation is refused and writes nothing.
                        var staleRefused = false
                        let stale: ExpectedVersion =
                            single.streamVersion == 0 ? .noStream : .exact(single.streamVersion - 1)
                        do {
                            _ = try await store.append([event()], to: own, expectedVersion: stale)
                        } catch EventStoreError.wrongExpectedVersion(_, _, let actual) {
                            staleRefused = actual == single.streamVersion
                        }
                        // Own stream and the shared one, all or nothing.
                        let pair = try await store.append([
                            StreamAppend(
                                stream: own, expectedVersion: .exact(single.streamVersion),
                                events: [event("pair.own"), event("pair.own")]),
                            StreamAppend(stream: shared, expectedVersion: .any, events: [event("pair.shared")]),
                        ])
                        version = pair[0].streamVersion
                        // The same append sent twice at once, through both stores: one writes, the other
                        // is its duplicate.
                        let ids = [UUID(), UUID()]
                        let retry = [
                            StreamAppend(
                                stream: shared, expectedVersion: .any,
                                events: ids.map { event("retried", #"{"writer": \#(writer)}"#, id: $0) })
                        ]
                        async let first = store.append(retry)
                        async let second = otherStore.append(retry)
                        let retried = (try await first[0], try await second[0])
                        done.append(Round(single: single, pair: pair, retried: retried, staleRefused: staleRefused))
                    }
                    return done
                }
            }
            return try await group.reduce(into: [Round]()) { $0 += $1 }
        }
    }
}
