import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Schema/0036 destroys a forgotten client's key from the chain trigger (a BEFORE trigger, inside the inserting
/// statement) instead of an AFTER trigger of its own: whichever way a client.forgotten event is inserted, its key is
/// destroyed in that statement, and whatever makes the insert fail keeps the key. The destroying function can be
/// called directly, so a key destroyed without its event is refused at commit.
@Suite("Migration 0036: forgetting destroys the key from the chain trigger")
struct ForgetInChainTriggerMigrationTests {
    struct Rollback: Error {}

    /// A registered client with sealed personal data, so with a live key; returns the stream's name.
    static func registeredClient(_ database: TestDatabase) async throws -> String {
        let client = "client-\(UUID().uuidString.lowercased())"
        try await database.store.append(
            [
                NewEvent(
                    type: "client.registered", schemaVersion: 2,
                    json: #"{"at": "2021-03-04T10:00:00Z", "personal": {"fullName": "Wessel Oudshoorn"}}"#,
                    metadata: EventMetadata(actor: "tests"))
            ],
            to: try StreamName(client), expectedVersion: .noStream)
        return client
    }

    /// The key of `subject` as stored: destroyed, why, and by which event (both empty while live); nil without a row.
    static func key(_ database: TestDatabase, _ subject: String) async throws -> (
        destroyed: Bool, reason: String, by: String
    )? {
        let row = try await database.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT wrapped_key IS NULL, coalesce(destroyed_reason, ''), coalesce(destroyed_by::text, '')
                  FROM client_keys WHERE subject = \(subject)::text
                """
            ).first?.decode((Bool, String, String).self)
        }
        guard let row else { return nil }
        return (destroyed: row.0, reason: row.1, by: row.2)
    }

    /// How many live keys were destroyed so far (Schema/0022's count).
    static func destroyedCount(_ database: TestDatabase) async throws -> Int64? {
        try await database.pool.withConnection { connection in
            try await connection.query("SELECT destroyed FROM client_key_epoch").first?.decode(Int64.self)
        }
    }

    /// A client.forgotten event inserted behind the append path's back, numbered after the head, in one statement.
    static func insertForgotten(
        _ connection: PostgresConnection, stream: String, version: Int, id: UUID, reason: String
    ) async throws {
        try await connection.execute(
            """
            WITH h AS (UPDATE log_head SET position = log_head.position + 1 WHERE log_head.singleton
                       RETURNING log_head.position)
            INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
            SELECT h.position, \(stream)::text, \(version)::integer, \(id)::uuid, 'client.forgotten', 1,
                   jsonb_build_object('at', '2022-01-01T00:00:00Z'::text, 'reason', \(reason)::text),
                   '{"actor": "tests"}'
              FROM h
            """)
    }

    @Test("a client.forgotten inserted directly destroys the key in its statement; a failed insert keeps it")
    func directInsertsDestroyOrKeep() async throws {
        try await TestDatabase.with { database in
            let forgotten = try await Self.registeredClient(database)
            let kept = try await Self.registeredClient(database)
            let countBefore = try #require(try await Self.destroyedCount(database))

            let id = UUID()
            try await database.pool.withConnection { connection in
                try await Self.insertForgotten(connection, stream: forgotten, version: 1, id: id, reason: "direct")
            }
            let destroyed = try #require(try await Self.key(database, forgotten))
            #expect(destroyed.destroyed && destroyed.reason == "direct" && destroyed.by == id.uuidString.lowercased())
            #expect(try await Self.destroyedCount(database) == countBefore + 1)

            // The forgetting row goes first and a later row of the same statement fails (a taken stream version).
            let laterRowFails = await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.execute(
                        """
                        WITH h AS (UPDATE log_head SET position = log_head.position + 2 WHERE log_head.singleton
                                   RETURNING log_head.position)
                        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                        SELECT h.position - 2 + g, CASE g WHEN 1 THEN \(kept)::text ELSE \(forgotten)::text END,
                               CASE g WHEN 1 THEN 1 ELSE 0 END, gen_random_uuid(),
                               CASE g WHEN 1 THEN 'client.forgotten' ELSE 'client.noted' END, 1,
                               '{"reason": "half"}', '{"actor": "tests"}'
                          FROM h, generate_series(1, 2) g
                        """)
                }
            }
            #expect(laterRowFails?.sqlState == "23505")
            // No predecessor: the chain trigger refuses the row before it destroys anything.
            let unlinkable = await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.execute(
                        """
                        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                        SELECT position + 5, \(kept)::text, 1, gen_random_uuid(), 'client.forgotten', 1,
                               '{"reason": "gap"}', '{"actor": "tests"}'
                          FROM log_head
                        """)
                }
            }
            #expect(unlinkable?.sqlState == "SE003")
            // The same event id again (the insert itself is refused).
            let duplicate = await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { connection in
                    try await Self.insertForgotten(connection, stream: kept, version: 1, id: id, reason: "again")
                }
            }
            #expect(duplicate?.sqlState == "23505")
            // Inserted, and the transaction rolled back.
            await #expect(throws: Rollback.self) {
                try await database.pool.withConnection { connection in
                    try await connection.withTransaction { connection in
                        try await Self.insertForgotten(
                            connection, stream: kept, version: 1, id: UUID(), reason: "rolled back")
                        throw Rollback()
                    }
                }
            }
            // Through the store, with an expectation the stream is not at.
            await #expect(throws: (any Error).self) {
                try await database.store.append(
                    [
                        NewEvent(
                            type: "client.forgotten", json: #"{"reason": "stale"}"#,
                            metadata: EventMetadata(actor: "tests"))
                    ], to: try StreamName(kept),
                    expectedVersion: .exact(3))
            }
            let live = try #require(try await Self.key(database, kept))
            #expect(!live.destroyed && live.reason.isEmpty && live.by.isEmpty)
            #expect(try await Self.destroyedCount(database) == countBefore + 1)

            // Through the store; appending the same event again is a duplicate, and the key stays as first destroyed.
            let event = NewEvent(
                type: "client.forgotten", json: #"{"reason": "store"}"#, metadata: EventMetadata(actor: "tests"))
            try await database.store.append([event], to: try StreamName(kept), expectedVersion: .exact(0))
            let again = try await database.store.append([event], to: try StreamName(kept), expectedVersion: .exact(0))
            #expect(again.wasDuplicate)
            let gone = try #require(try await Self.key(database, kept))
            #expect(gone.destroyed && gone.reason == "store" && gone.by == event.id.uuidString.lowercased())
            #expect(try await Self.destroyedCount(database) == countBefore + 2)
            #expect(try await database.chainVerifier.verify().findings == [])
        }
    }

    @Test("the destroying function called without its event is refused at commit, and the key stays")
    func destroyingWithoutTheEventRefused() async throws {
        try await TestDatabase.with { database in
            let client = try await Self.registeredClient(database)
            let other = "client-\(UUID().uuidString.lowercased())"
            let otherID = UUID()
            try await database.store.append(
                [NewEvent(id: otherID, type: "client.forgotten", json: #"{"reason": "other"}"#)],
                to: try StreamName(other), expectedVersion: .noStream)
            // An id of no event, and the id of another client's client.forgotten event.
            for id in [UUID(), otherID] {
                let refused = await #expect(throws: PostgresError.self) {
                    try await database.pool.withConnection { connection in
                        try await connection.execute(
                            "SELECT stipple_destroy_client_key(\(client)::text, 'no event'::text, \(id)::uuid)")
                    }
                }
                #expect(refused?.sqlState == "SE007")
            }
            let live = try #require(try await Self.key(database, client))
            #expect(!live.destroyed)
            let erased = try #require(try await Self.key(database, other))
            #expect(erased.destroyed && erased.by == otherID.uuidString.lowercased())
        }
    }

    @Test("a database upgraded across 0036 keeps its keys and links, and forgetting still destroys the key")
    func upgradesAnExistingDatabase() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 36)
            let early = try await Self.registeredClient(database)
            let late = try await Self.registeredClient(database)
            try await database.store.append(
                [NewEvent(type: "client.forgotten", json: #"{"reason": "before"}"#)], to: try StreamName(early),
                expectedVersion: .exact(0))
            let before = try await CheckDomainsMigrationTests.rawRows(database)

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(36))
            #expect(try await CheckDomainsMigrationTests.rawRows(database) == before, "no byte and no link changed")
            #expect(try await Self.key(database, early)?.reason == "before")
            #expect(try await Self.key(database, late)?.destroyed == false)

            // Through the same pool: sessions that ran the old trigger run the new one.
            try await database.store.append(
                [NewEvent(type: "client.forgotten", json: #"{"reason": "after"}"#)], to: try StreamName(late),
                expectedVersion: .exact(0))
            let gone = try #require(try await Self.key(database, late))
            #expect(gone.destroyed && gone.reason == "after")
            let afterTriggers = try await database.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM pg_trigger
                     WHERE tgrelid = 'events'::regclass AND NOT tgisinternal AND (tgtype & 2) = 0 AND (tgtype & 4) <> 0
                    """
                ).first?.decode(Int.self)
            }
            #expect(afterTriggers == 0, "no AFTER INSERT trigger on events")
            #expect(try await database.chainVerifier.verify().findings == [])
        }
    }
}
