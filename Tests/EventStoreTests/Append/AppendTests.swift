import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Appending and reading streams")
struct AppendTests {
    @Test("honours every expected-version case and names stream, expected and actual on conflict")
    func expectedVersions() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let s = try stream("client-1")
            let first = try await store.append([event(), event()], to: s, expectedVersion: .noStream)
            #expect(first.streamVersion == 1)
            #expect(first.positions == [1, 2])
            let error = await #expect(throws: EventStoreError.self) {
                try await store.append([event()], to: s, expectedVersion: .noStream)
            }
            #expect(error == .wrongExpectedVersion(stream: "client-1", expected: .noStream, actual: 1))
            #expect(error?.description == "stream client-1: expected no stream, but it is at version 1")

            #expect(try await store.append([event()], to: s, expectedVersion: .exact(1)).streamVersion == 2)
            let stale = await #expect(throws: EventStoreError.self) {
                try await store.append([event()], to: s, expectedVersion: .exact(1))
            }
            #expect(stale == .wrongExpectedVersion(stream: "client-1", expected: .exact(1), actual: 2))

            #expect(try await store.append([event()], to: s, expectedVersion: .streamExists).streamVersion == 3)
            let missing = await #expect(throws: EventStoreError.self) {
                try await store.append([event()], to: try stream("client-2"), expectedVersion: .streamExists)
            }
            #expect(missing == .wrongExpectedVersion(stream: "client-2", expected: .streamExists, actual: nil))
            #expect(missing?.description.contains("does not exist") == true)

            #expect(try await store.append([event()], to: s, expectedVersion: .any).streamVersion == 4)
            #expect(
                try await store.append([event()], to: try stream("client-3"), expectedVersion: .any).positions == [6])

            let read = try await store.readStream(s)
            #expect(read.map(\.version) == [0, 1, 2, 3, 4])
            #expect(read.map(\.position) == [1, 2, 3, 4, 5])
            let backward = try await store.readStream(s, direction: .backward, limit: 2)
            #expect(backward.map(\.version) == [4, 3])
            let middle = try await store.readStream(s, from: 2, limit: 2)
            #expect(middle.map(\.version) == [2, 3])
            #expect(try await store.streamVersion(s) == 4)
            #expect(try await store.streamVersion(try stream("client-404")) == nil)
        }
    }

    @Test("keeps metadata, type, schema version and data of every event")
    func keepsEverything() async throws {
        try await TestDatabase.with { database in
            let correlation = UUID()
            let metadata = EventMetadata(
                actor: "alice", correlationID: correlation, causationID: UUID(), reason: "walk-in",
                extra: ["clinic": "soho"])
            let id = UUID()
            let new = NewEvent(
                id: id, type: "client.registered", schemaVersion: 2, json: #"{"b": [1, 2], "a": "x"}"#,
                metadata: metadata)
            try await database.store.append([new], to: try stream("client-9"), expectedVersion: .any)
            let stored = try #require(try await database.store.readStream(try stream("client-9")).first)
            #expect(stored.id == id)
            #expect(stored.type == "client.registered")
            #expect(stored.schemaVersion == 2)
            #expect(try stored.metadata() == metadata)
            let data = try JSONSerialization.jsonObject(with: stored.data) as? [String: Any]
            #expect(data?["a"] as? String == "x")
            #expect(abs(stored.recordedAt.timeIntervalSinceNow) < 60)
        }
    }

    @Test("appends to several streams all together or not at all")
    func multiStreamAtomicity() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.append([event()], to: try stream("technician-ana"), expectedVersion: .noStream)
            let before = try await database.eventsFingerprint()
            let error = await #expect(throws: EventStoreError.self) {
                try await store.append([
                    StreamAppend(stream: try stream("client-1"), expectedVersion: .noStream, events: [event()]),
                    StreamAppend(stream: try stream("technician-ana"), expectedVersion: .noStream, events: [event()]),
                ])
            }
            #expect(error == .wrongExpectedVersion(stream: "technician-ana", expected: .noStream, actual: 0))
            #expect(try await database.eventsFingerprint() == before)
            let results = try await store.append([
                StreamAppend(stream: try stream("client-1"), expectedVersion: .noStream, events: [event()]),
                StreamAppend(stream: try stream("technician-ana"), expectedVersion: .exact(0), events: [event()]),
            ])
            #expect(results.map(\.positions) == [[2], [3]])
            #expect(results.map(\.streamVersion) == [0, 1])
        }
    }

    @Test("gives 8 concurrent writers to one stream versions 0..N-1 with every loser told of a conflict")
    func concurrentWritersOnOneStream() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let s = try stream("client-contended")
            let perWriter = 10
            let outcomes = try await withThrowingTaskGroup(of: (wins: Int, conflicts: Int).self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        var wins = 0
                        var conflicts = 0
                        var known: Int? = nil
                        while wins < perWriter {
                            let expected: ExpectedVersion = known.map { .exact($0) } ?? .noStream
                            do {
                                let result = try await store.append(
                                    [event("thing.happened", #"{"writer": \#(writer)}"#)], to: s,
                                    expectedVersion: expected)
                                known = result.streamVersion
                                wins += 1
                            } catch EventStoreError.wrongExpectedVersion(_, _, let actual) {
                                conflicts += 1
                                known = actual
                            }
                        }
                        return (wins, conflicts)
                    }
                }
                return try await group.reduce(into: [(wins: Int, conflicts: Int)]()) { $0.append($1) }
            }
            let versions = try await store.readWholeStream(s).map(\.version)
            #expect(versions == Array(0..<(8 * perWriter)))
            #expect(outcomes.map(\.wins).reduce(0, +) == 8 * perWriter)
            // All 8 first tried .noStream: at least 7 of them must have lost.
            #expect(outcomes.map(\.conflicts).reduce(0, +) >= 7)
            #expect(try await store.headPosition() == Int64(8 * perWriter))
        }
    }

    @Test("returns the original result for a retried append and writes nothing")
    func idempotentRetry() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let s = try stream("client-1")
            let events = [event("a.b", #"{"x": 1}"#), event("a.c", #"{"y": "z"}"#)]
            let first = try await store.append(events, to: s, expectedVersion: .noStream)
            let fingerprint = try await database.eventsFingerprint()
            // A retry with the same expected version would conflict if it were not recognised.
            let again = try await store.append(events, to: s, expectedVersion: .noStream)
            #expect(again.positions == first.positions)
            #expect(again.streamVersion == first.streamVersion)
            #expect(again.wasDuplicate)
            #expect(!first.wasDuplicate)
            #expect(try await database.eventsFingerprint() == fingerprint)
        }
    }

    @Test("rejects an event id reused for different content and leaves the store as it was")
    func idReusedForOtherContent() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let id = UUID()
            try await store.append(
                [event("a.b", #"{"x": 1}"#, id: id)], to: try stream("client-1"), expectedVersion: .any)
            let fingerprint = try await database.eventsFingerprint()
            let changed = await #expect(throws: EventStoreError.self) {
                try await store.append(
                    [event("a.b", #"{"x": 2}"#, id: id)], to: try stream("client-1"), expectedVersion: .any)
            }
            #expect(changed == .idempotencyConflict(stream: "client-1", eventID: id))
            let partial = await #expect(throws: EventStoreError.self) {
                try await store.append(
                    [event("a.b", #"{"x": 1}"#, id: id), event()], to: try stream("client-1"), expectedVersion: .any)
            }
            #expect(partial == .idempotencyConflict(stream: "client-1", eventID: id))
            let otherStream = await #expect(throws: EventStoreError.self) {
                try await store.append(
                    [event("a.b", #"{"x": 1}"#, id: id)], to: try stream("client-2"), expectedVersion: .any)
            }
            #expect(otherStream == .idempotencyConflict(stream: "client-2", eventID: id))
            #expect(try await database.eventsFingerprint() == fingerprint)
        }
    }

    @Test("reads a category and the whole log in pages that resume from a checkpoint token")
    func readsCategoriesAndPages() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            for index in 0..<5 {
                try await store.append([event()], to: try stream("client-\(index)"), expectedVersion: .any)
                try await store.append([event()], to: try stream("pigment-B\(index)"), expectedVersion: .any)
            }
            let clients = try await store.readAll(category: "client")
            #expect(clients.events.map(\.stream.category) == Array(repeating: "client", count: 5))
            #expect(clients.events.map(\.position) == [1, 3, 5, 7, 9])
            var seen: [Int64] = []
            var token = Checkpoint.start.token
            while true {
                let page = try await store.readAll(after: try Checkpoint(token: token), limit: 3)
                if page.events.isEmpty { break }
                seen += page.events.map(\.position)
                token = page.next.token
            }
            #expect(seen == Array(1...10))
            #expect(throws: EventStoreError.self) { try Checkpoint(token: "-1") }
            #expect(throws: EventStoreError.self) { try Checkpoint(token: "12; DROP") }
            let upTo = try await store.readAll(upTo: 4)
            #expect(upTo.events.map(\.position) == [1, 2, 3, 4])
        }
    }
}
