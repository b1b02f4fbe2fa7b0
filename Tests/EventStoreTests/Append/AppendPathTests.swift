import Foundation
import Postgres
import Testing
import TestSupport

@testable import EventStore

/// The lone and group append statements (`GroupCommitter.loneStatement` and `groupStatement`,
/// Schema/0020), run directly so that what each writes, answers and leaves to `stipple_append_batch` is
/// deterministic (through
/// `EventStore.append` groups form only when writers overlap; `ConcurrentGuaranteesTests` races them).
@Suite("Append paths (0020)")
struct AppendPathTests {
    /// The events array both functions take: `(id, type)` pairs with small data.
    static func events(_ events: [(UUID, String)]) -> JSONText {
        let items = events.map { id, type in
            #"{"id": "\#(id.uuidString.lowercased())", "type": "\#(type)", "schema_version": 1, "data": {"k": 1}, "metadata": {"actor": "tests"}}"#
        }
        return JSONText("[" + items.joined(separator: ",") + "]")
    }

    /// The lone statement's answer: (last position, version) when it wrote, nil when it left the request.
    static func lone(_ stream: String, expected: Int?, _ body: JSONText, in database: TestDatabase) async throws
        -> (Int64, Int)?
    {
        let rows = try await database.pool.withConnection { connection in
            try await connection.queryPrepared(
                GroupCommitter.loneStatement(stream: stream, expected: expected, events: body))
        }
        #expect(rows.count <= 1)
        return try rows.first?.decode((Int64, Int).self)
    }

    /// The one-event lone statement's answer, as `lone`.
    static func loneEvent(_ stream: String, expected: Int?, _ id: UUID, _ type: String, in database: TestDatabase)
        async throws -> (Int64, Int)?
    {
        let event = NewEvent(
            id: id, type: type, schemaVersion: 1, json: #"{"k": 1, "note": "café ☕"}"#,
            metadata: EventMetadata(actor: "tests"))
        let rows = try await database.pool.withConnection { connection in
            try await connection.queryPrepared(
                GroupCommitter.loneEventStatement(stream: stream, expected: expected, event: event))
        }
        #expect(rows.count <= 1)
        return try rows.first?.decode((Int64, Int).self)
    }

    struct Group {
        var requests: [Int] = []
        var streams: [String] = []
        var expected: [Int?] = []
        var counts: [Int] = []
        var eventStreams: [Int] = []
        var events: [(UUID, String)] = []

        mutating func add(request: Int, stream: String, expected: Int?, _ events: [(UUID, String)]) {
            requests.append(request)
            streams.append(stream)
            self.expected.append(expected)
            counts.append(events.count)
            eventStreams += Array(repeating: streams.count, count: events.count)
            self.events += events
        }
    }

    static func group(_ group: Group, in database: TestDatabase) async throws -> [(Int64?, Int)] {
        let statement = GroupCommitter.groupStatement(
            requests: group.requests, streams: group.streams, expected: group.expected, counts: group.counts,
            eventStreams: group.eventStreams, events: events(group.events))
        let rows = try await database.pool.withConnection { connection in try await connection.queryPrepared(statement)
        }
        return try rows.map { try $0.decode((Int64?, Int).self) }
    }

    @Test("one stream: numbered from the head; a wrong version, a retry or no events left over, nothing written")
    func loneStream() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.append([event()], to: try stream("client-old"), expectedVersion: .noStream)
            let ids = [UUID(), UUID()]
            let body = Self.events(ids.map { ($0, "a.one") })
            let written = try await Self.lone("client-a", expected: -1, body, in: database)
            #expect(written?.0 == 3 && written?.1 == 1)
            // Expectations: exact, stream exists, no stream. A wrong one writes nothing and answers no row
            // (its version was read before the lock, so stipple_append_batch decides it); an exact one the stream
            // is already past runs into UNIQUE (stream, version) instead, nothing written.
            await #expect(throws: PostgresError.self) {
                _ = try await Self.lone("client-a", expected: 0, Self.events([(UUID(), "a.x")]), in: database)
            }
            #expect(try await Self.lone("client-a", expected: 5, Self.events([(UUID(), "a.x")]), in: database) == nil)
            #expect(try await Self.lone("client-z", expected: -2, Self.events([(UUID(), "a.x")]), in: database) == nil)
            #expect(
                try await Self.lone("client-old", expected: -1, Self.events([(UUID(), "a.x")]), in: database) == nil)
            // A retry whose expectation no longer holds, and a request without events: left over.
            #expect(try await Self.lone("client-a", expected: -1, body, in: database) == nil)
            #expect(try await Self.lone("client-a", expected: -1, JSONText("[]"), in: database) == nil)
            // A retry whose expectation still holds (any) runs into the event id index: nothing written.
            await #expect(throws: PostgresError.self) {
                _ = try await Self.lone("client-a", expected: nil, body, in: database)
            }
            // Every expectation that holds: exact, stream exists, any.
            let exact = try await Self.lone("client-old", expected: 0, Self.events([(UUID(), "a.two")]), in: database)
            #expect(exact?.0 == 4 && exact?.1 == 1)
            let exists = try await Self.lone("client-a", expected: -2, Self.events([(UUID(), "a.three")]), in: database)
            #expect(exists?.0 == 5 && exists?.1 == 2)
            let any = try await Self.lone("client-new", expected: nil, Self.events([(UUID(), "a.four")]), in: database)
            #expect(any?.0 == 6 && any?.1 == 0)
            let log = try await store.readAll(after: .start, limit: 100).events
            #expect(log.map(\.position) == [1, 2, 3, 4, 5, 6])
            #expect(log.map(\.type) == ["thing.happened", "a.one", "a.one", "a.two", "a.three", "a.four"])
            #expect(log.map(\.version) == [0, 0, 1, 1, 2, 0])
            #expect(try await store.headPosition() == 6)
            #expect(try await database.chainVerifier.verify().isIntact)
            // What the statement leaves over, the store answers through stipple_append_batch.
            await #expect(throws: EventStoreError.self) {
                try await store.append([event()], to: try stream("client-a"), expectedVersion: .exact(0))
            }
            let retried = try await store.append(
                ids.map { event("a.one", #"{"k": 1}"#, id: $0) },
                to: try stream("client-a"), expectedVersion: .noStream)
            #expect(retried.wasDuplicate && retried.positions == [2, 3])
            #expect(try await store.headPosition() == 6)
        }
    }

    @Test("one event to one stream: the same numbering, expectations and left-overs as the array form, chained")
    func loneEvent() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.append([event()], to: try stream("client-old"), expectedVersion: .noStream)
            let id = UUID()
            let written = try await Self.loneEvent("client-a", expected: -1, id, "a.one", in: database)
            #expect(written?.0 == 2 && written?.1 == 0)
            // A wrong expectation writes nothing and answers no row; so does a retry whose expectation no longer
            // holds. One whose expectation still holds runs into the event id index: nothing written.
            #expect(try await Self.loneEvent("client-a", expected: 3, UUID(), "a.x", in: database) == nil)
            #expect(try await Self.loneEvent("client-z", expected: -2, UUID(), "a.x", in: database) == nil)
            #expect(try await Self.loneEvent("client-old", expected: -1, UUID(), "a.x", in: database) == nil)
            #expect(try await Self.loneEvent("client-a", expected: -1, id, "a.one", in: database) == nil)
            await #expect(throws: PostgresError.self) {
                _ = try await Self.loneEvent("client-a", expected: nil, id, "a.one", in: database)
            }
            let exact = try await Self.loneEvent("client-a", expected: 0, UUID(), "a.two", in: database)
            #expect(exact?.0 == 3 && exact?.1 == 1)
            // An exact expectation the stream is past: UNIQUE (stream, version) refuses it, nothing written.
            await #expect(throws: PostgresError.self) {
                _ = try await Self.loneEvent("client-a", expected: 0, UUID(), "a.x", in: database)
            }
            let exists = try await Self.loneEvent("client-old", expected: -2, UUID(), "a.three", in: database)
            #expect(exists?.0 == 4 && exists?.1 == 1)
            let any = try await Self.loneEvent("client-new", expected: nil, UUID(), "a.four", in: database)
            #expect(any?.0 == 5 && any?.1 == 0)
            let log = try await store.readAll(after: .start, limit: 100).events
            #expect(log.map(\.position) == [1, 2, 3, 4, 5])
            #expect(log.map(\.type) == ["thing.happened", "a.one", "a.two", "a.three", "a.four"])
            #expect(log.map(\.version) == [0, 0, 1, 1, 0])
            #expect(log[1].id == id && log[1].schemaVersion == 1)
            #expect(String(decoding: log[1].metadataJSON, as: UTF8.self).contains(#""actor": "tests""#))
            #expect(String(decoding: log[1].data, as: UTF8.self) == #"{"k": 1, "note": "café ☕"}"#)
            #expect(try await store.headPosition() == 5)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [] && report.checkedCount == 5)
            // Through the store: a lone one-event append takes this statement, a stale expectation and a retry
            // get stipple_append_batch's answers.
            let next = try await store.append([event("a.five")], to: try stream("client-a"), expectedVersion: .exact(1))
            #expect(next.positions == [6] && next.streamVersion == 2)
            await #expect(throws: EventStoreError.self) {
                try await store.append([event()], to: try stream("client-a"), expectedVersion: .exact(1))
            }
            let retried = try await store.append(
                [event("a.one", #"{"k": 1, "note": "café ☕"}"#, id: id)], to: try stream("client-a"),
                expectedVersion: .noStream)
            #expect(retried.wasDuplicate && retried.positions == [2])
            #expect(try await store.headPosition() == 6)
        }
    }

    @Test("a group: each request all or nothing on its own, positions gapless over the requests written")
    func groupOfRequests() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.append([event()], to: try stream("client-old"), expectedVersion: .noStream)
            try await store.append([event()], to: try stream("client-older"), expectedVersion: .noStream)
            var group = Group()
            group.add(request: 1, stream: "client-a", expected: -1, [(UUID(), "a.one"), (UUID(), "a.two")])
            // Request 2: two streams, the second expectation wrong, so neither is written.
            group.add(request: 2, stream: "client-b", expected: nil, [(UUID(), "b.one")])
            group.add(request: 2, stream: "client-older", expected: 5, [(UUID(), "b.two")])
            // Request 3: two streams, both written, consecutive.
            group.add(request: 3, stream: "client-old", expected: -2, [(UUID(), "c.one")])
            group.add(request: 3, stream: "client-c", expected: -1, [(UUID(), "c.two")])
            let answers = try await Self.group(group, in: database)
            #expect(answers.map { $0.0 } == [4, nil, nil, 5, 6])
            #expect(answers.map { $0.1 } == [1, -1, 0, 1, 0])
            let log = try await store.readAll(after: .start, limit: 100).events
            #expect(log.map(\.type) == ["thing.happened", "thing.happened", "a.one", "a.two", "c.one", "c.two"])
            #expect(
                log.map(\.stream.rawValue) == [
                    "client-old", "client-older", "client-a", "client-a", "client-old", "client-c",
                ])
            #expect(log.map(\.version) == [0, 0, 0, 1, 1, 0])
            #expect(try await store.headPosition() == 6)
            #expect(try await database.chainVerifier.verify().isIntact)
        }
    }

    @Test("a group: what it cannot answer the same way is left to stipple_append_batch, nothing of it written")
    func groupLeftOver() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let stored = UUID()
            try await store.append([event(id: stored)], to: try stream("client-x"), expectedVersion: .noStream)
            let fingerprint = try await database.eventsFingerprint()
            // The same stream twice: its versions depend on each other.
            var repeated = Group()
            repeated.add(request: 1, stream: "client-a", expected: nil, [(UUID(), "a.one")])
            repeated.add(request: 2, stream: "client-a", expected: nil, [(UUID(), "a.two")])
            #expect(try await Self.group(repeated, in: database).isEmpty)
            // Counts that do not add up.
            var miscounted = Group()
            miscounted.add(request: 1, stream: "client-c", expected: nil, [(UUID(), "c.one")])
            miscounted.counts = [2]
            #expect(try await Self.group(miscounted, in: database).isEmpty)
            // A stored id under an expectation that holds: the unique index refuses the whole call.
            var duplicate = Group()
            duplicate.add(request: 1, stream: "client-d", expected: nil, [(UUID(), "d.one")])
            duplicate.add(request: 2, stream: "client-x", expected: nil, [(stored, "thing.happened")])
            await #expect(throws: PostgresError.self) { _ = try await Self.group(duplicate, in: database) }
            #expect(try await database.eventsFingerprint() == fingerprint)
            #expect(try await store.headPosition() == 1)
            // A failing request whose ids are stored (a retry): the others are written, it is left over.
            var retry = Group()
            retry.add(request: 1, stream: "client-b", expected: nil, [(UUID(), "b.one")])
            retry.add(request: 2, stream: "client-x", expected: -1, [(stored, "thing.happened")])
            let answers = try await Self.group(retry, in: database)
            #expect(answers.map { $0.0 } == [2, nil])
            #expect(answers.map { $0.1 } == [0, 0])
            #expect(try await store.headPosition() == 2)
            #expect(try await database.chainVerifier.verify().isIntact)
        }
    }

    @Test("through the store, a left-over request gets stipple_append_batch's answer, nothing of it written")
    func leftOverThroughTheStore() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let stored = event()
            try await store.append([stored], to: try stream("client-x"), expectedVersion: .noStream)
            try await store.append([event()], to: try stream("client-y"), expectedVersion: .noStream)
            // One request to two streams goes through the group statement: a wrong expectation on one
            // leaves the request over, and stipple_append_batch names the conflict; nothing written.
            await #expect(throws: EventStoreError.self) {
                try await store.append([
                    StreamAppend(stream: try stream("client-z"), expectedVersion: .noStream, events: [event()]),
                    StreamAppend(stream: try stream("client-y"), expectedVersion: .exact(3), events: [event()]),
                ])
            }
            #expect(try await store.headPosition() == 2)
            let again = try await store.append([stored], to: try stream("client-x"), expectedVersion: .noStream)
            #expect(again.wasDuplicate && again.positions == [1])
            let both = try await store.append([
                StreamAppend(stream: try stream("client-z"), expectedVersion: .noStream, events: [event()]),
                StreamAppend(stream: try stream("client-y"), expectedVersion: .exact(0), events: [event()]),
            ])
            #expect(both.map(\.positions) == [[3], [4]])
            #expect(both.map(\.streamVersion) == [0, 1])
            #expect(try await database.chainVerifier.verify().isIntact)
        }
    }
}
