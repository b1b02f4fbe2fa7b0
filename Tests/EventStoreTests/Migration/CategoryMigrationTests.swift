import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Schema/0033 makes `category` an ordinary column that the chain trigger sets from `stream` (it was a stored
/// generated column) and gives `stipple_chain_hash` a cheaper form of the same recorded_at field: a database that
/// already has events keeps every stored byte and link, verifies with old and new events, appends on, and every
/// row's category is still the text before the stream's first `-`, whatever an INSERT supplies.
@Suite("Migration 0033: category set by the chain trigger")
struct CategoryMigrationTests {
    /// Events whose streams are of three categories, appended through the store (lone and grouped appends).
    static func appendMixed(_ store: EventStore, round: Int) async throws {
        for (index, name) in ["order-\(round)", "client-\(round)-x", "slot-\(round)"].enumerated() {
            let events = (0...index).map { _ in
                NewEvent(
                    id: UUID(), type: "thing.happened", schemaVersion: 1, json: #"{"n": \#(round), "note": "é ☕"}"#,
                    metadata: EventMetadata(actor: "tests"))
            }
            try await store.append(events, to: try StreamName(name), expectedVersion: .noStream)
        }
    }

    /// Rows whose category is not the text before the stream's first `-`, and the column's generation kind.
    static func categoryState(_ database: TestDatabase) async throws -> (wrong: Int, generated: String) {
        try await database.pool.withConnection { connection in
            let wrong = try await connection.query(
                "SELECT count(*) FROM events WHERE category IS DISTINCT FROM split_part(stream, '-', 1)"
            ).first?.decode(Int.self)
            let generated = try await connection.query(
                "SELECT attgenerated::text FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'category'"
            ).first?.decode(String.self)
            return (wrong ?? -1, generated ?? "?")
        }
    }

    @Test("an existing log keeps every byte and link, verifies with old and new events, and appends on")
    func upgradesAnExistingLog() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 33)
            try await database.appendAuditEvents(12, streams: 3, perAppend: 3)
            try await Self.appendMixed(database.store, round: 1)
            let before = try await CheckDomainsMigrationTests.rawRows(database)
            #expect(before.count == 18)
            #expect(try await Self.categoryState(database).generated == "s")

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(33))
            #expect(try await CheckDomainsMigrationTests.rawRows(database) == before, "no byte and no link changed")
            #expect(try await database.chainVerifier.verify().findings == [])

            // Through the same pool: sessions that ran the old trigger run the new one.
            try await database.appendAuditEvents(5, streams: 2, perAppend: 2)
            try await Self.appendMixed(database.store, round: 2)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 29)
            let state = try await Self.categoryState(database)
            #expect(state.wrong == 0)
            #expect(state.generated == "", "an ordinary column now")
            let orders = try await database.store.readAll(after: .start, limit: 100, category: "order").events
            #expect(orders.map(\.stream.rawValue) == ["order-1", "order-2"])
            let slots = try await database.store.readAll(after: .start, limit: 100, category: "slot").events
            #expect(slots.count == 6)
        }
    }

    @Test("a category an INSERT supplies is overwritten from the stream, as supplied links are")
    func suppliedCategoryOverwritten() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(2)
            try await database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata,
                                        category, prev_hash, hash)
                    VALUES (3, 'order-7', 0, gen_random_uuid(), 'x.y', 1, '{}', '{}', \("client"),
                            decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'))
                    """)
                try await connection.execute("UPDATE log_head SET position = 3")
            }
            let stored = try await database.pool.withConnection { connection in
                try await connection.query("SELECT category FROM events WHERE position = \(3)").first?.decode(
                    String.self)
            }
            #expect(stored == "order")
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 3)
            #expect(try await Self.categoryState(database).wrong == 0)
        }
    }
}
