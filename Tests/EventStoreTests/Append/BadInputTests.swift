import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Bad input leaves the store as it was")
struct BadInputTests {
    @Test(
        "rejects empty and malformed stream names",
        arguments: [
            "", "-client", "client 1", "client-1'; DROP TABLE events; --", "client;1", "kli\u{0}ent-1",
            "client-\u{1F600}", String(repeating: "a", count: 201), "\"client\"-1",
        ])
    func malformedStreamNames(_ name: String) {
        do {
            let accepted = try StreamName(name)
            Issue.record("accepted the stream name \(accepted)")
        } catch {
            #expect(error as? EventStoreError == .invalidStreamName(name))
        }
    }

    @Test("accepts ordinary stream names and splits off the category")
    func goodStreamNames() throws {
        let name = try StreamName("client-6f1c9c1e-4d8b-4e5e-9a43-1a2b3c4d5e6f")
        #expect(name.category == "client")
        #expect(name.id == "6f1c9c1e-4d8b-4e5e-9a43-1a2b3c4d5e6f")
        #expect(try StreamName("pigment-DB.91024110").category == "pigment")
    }

    @Test("refuses bad events with typed errors and writes nothing")
    func badEvents() async throws {
        try await TestDatabase.with(limits: .init(maximumDataBytes: 1 << 20)) { database in
            let store = database.store
            let s = try stream("client-1")
            try await store.append([event()], to: s, expectedVersion: .any)
            let before = try await database.eventsFingerprint()
            let id = UUID()
            let cases: [(NewEvent, EventStoreError)] = [
                (NewEvent(id: id, type: "", json: "{}"), .invalidEventType("")),
                (NewEvent(id: id, type: "a b", json: "{}"), .invalidEventType("a b")),
                (NewEvent(id: id, type: "x';--", json: "{}"), .invalidEventType("x';--")),
                (NewEvent(id: id, type: "ok", schemaVersion: 0, json: "{}"), .invalidSchemaVersion(0)),
                (NewEvent(id: id, type: "ok", json: "[1, 2]"), .invalidData(eventID: id, reason: "not a JSON object")),
                (
                    NewEvent(id: id, type: "ok", json: "\"text\""),
                    .invalidData(eventID: id, reason: "not a JSON object")
                ),
                (NewEvent(id: id, type: "ok", json: "{\"a\": "), .invalidData(eventID: id, reason: "not valid JSON")),
                (
                    NewEvent(id: id, type: "ok", data: Data([0x7B, 0xFF, 0x7D])),
                    .invalidData(eventID: id, reason: "not valid UTF-8")
                ),
                (
                    NewEvent(id: id, type: "ok", json: #"{"a": "x\u0000y"}"#),
                    .invalidData(
                        eventID: id, reason: "contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store")
                ),
            ]
            for (bad, expected) in cases {
                let error = await #expect(throws: EventStoreError.self) {
                    try await store.append([bad], to: s, expectedVersion: .any)
                }
                #expect(error == expected)
            }
            let huge = "{\"blob\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
            let tooLarge = await #expect(throws: EventStoreError.self) {
                try await store.append([NewEvent(id: id, type: "ok", json: huge)], to: s, expectedVersion: .any)
            }
            #expect(tooLarge == .payloadTooLarge(eventID: id, bytes: huge.utf8.count, limit: 1 << 20))
            let empty = await #expect(throws: EventStoreError.self) {
                try await store.append([], to: s, expectedVersion: .any)
            }
            #expect(empty == .noEvents(stream: "client-1"))
            let twice = await #expect(throws: EventStoreError.self) {
                try await store.append([event(id: id), event(id: id)], to: s, expectedVersion: .any)
            }
            #expect(twice == .duplicateEventID(id))
            #expect(try await database.eventsFingerprint() == before)
        }
    }

    @Test("stores quotes, semicolons, backslashes and emoji verbatim")
    func storesAwkwardTextVerbatim() async throws {
        try await TestDatabase.with { database in
            let awkward = "O'Brien \"Bob\"; DROP TABLE events; -- \\n 🧑🏽‍🦲 ñ 漢字 \u{202E}"
            let json = try JSONSerialization.data(withJSONObject: ["name": awkward, "k'; --": "v"])
            try await database.store.append(
                [NewEvent(type: "client.registered", data: json)], to: try stream("client-1"), expectedVersion: .any)
            let stored = try #require(try await database.store.readStream(try stream("client-1")).first)
            let object = try #require(try JSONSerialization.jsonObject(with: stored.data) as? [String: String])
            #expect(object["name"] == awkward)
            #expect(object["k'; --"] == "v")
        }
    }

    @Test("reports an unreachable database as a clear error, not a crash")
    func unreachableDatabase() async throws {
        let store = EventStore(
            configuration: try PostgresConfiguration("postgresql://x@127.0.0.1:1/none", connectTimeout: 1))
        let error = await #expect(throws: EventStoreError.self) {
            try await store.append([event()], to: try stream("client-1"), expectedVersion: .any)
        }
        guard case .database(let underlying) = error else {
            Issue.record("expected a database error, got \(String(describing: error))")
            return
        }
        #expect(underlying.code == .connectionFailed)
        #expect(error?.description.contains("cannot connect") == true)
    }
}

@Suite("Immutable history")
struct ImmutabilityTests {
    @Test("refuses UPDATE, DELETE and TRUNCATE of events and keeps the rows unchanged")
    func refusesChanges() async throws {
        try await TestDatabase.with { database in
            try await database.store.append([event(), event()], to: try stream("client-1"), expectedVersion: .any)
            let before = try await database.eventsFingerprint()
            for statement: SQL in [
                "UPDATE events SET data = '{\"x\": 2}'::jsonb WHERE position = 1",
                "DELETE FROM events WHERE position = 2",
                "TRUNCATE events",
            ] {
                let error = await #expect(throws: PostgresError.self) {
                    try await database.pool.withConnection { try await $0.execute(statement) }
                }
                #expect(error?.sqlState == "SE001")
                #expect(error?.message.contains("immutable") == true)
            }
            #expect(try await database.eventsFingerprint() == before)
        }
    }
}
