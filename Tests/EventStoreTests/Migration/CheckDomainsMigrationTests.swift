import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Schema/0024 turns the events table's and log_head's CHECKs into domains: a database that already has
/// events keeps every stored byte and link, verifies, appends on, and refuses what it refused before.
@Suite("Migration 0024: the CHECKs as domains")
struct CheckDomainsMigrationTests {
    /// Every stored column of every event, links included, in position order, as one text per event.
    static func rawRows(_ database: TestDatabase) async throws -> [String] {
        try await database.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT position::text || '|' || stream || '|' || version || '|' || event_id || '|' || type || '|'
                       || schema_version || '|' || data::text || '|' || metadata::text || '|' || recorded_at::text
                       || '|' || category || '|' || encode(prev_hash, 'hex') || '|' || encode(hash, 'hex')
                  FROM events ORDER BY position
                """
            ).map { try $0.decode(String.self) }
        }
    }

    @Test("an existing log keeps every byte and link, verifies with old and new events, and appends on")
    func upgradesAnExistingLog() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 24)
            try await database.appendAuditEvents(20, streams: 3, perAppend: 3)
            try await database.appendAuditEvents(5)
            let before = try await Self.rawRows(database)
            #expect(before.count == 25)

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(24))
            #expect(try await Self.rawRows(database) == before, "no byte and no link changed")
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 25)

            try await database.appendAuditEvents(6, streams: 2, perAppend: 2)
            try await database.appendAuditEvents(4)
            let after = try await database.chainVerifier.verify()
            #expect(after.findings == [])
            #expect(after.checkedCount == 35)
            #expect(try await database.store.headPosition() == 35)
            let types = try await database.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attname)
                      FROM pg_attribute WHERE attrelid = 'events'::regclass AND attnum > 0 AND NOT attisdropped
                    """
                ).first?.decode(String.self)
            }
            #expect(types?.contains("stream:stipple_stream_name") == true)
            #expect(types?.contains("category:text") == true)
        }
    }

    @Test("the domains refuse what the CHECKs refused, with check_violation, and nothing is written")
    func refusesAsBefore() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(2)
            // What, then position, stream, version, type, schema version, data, metadata.
            let refused: [(String, Int64, String, Int, String, Int, String, String)] = [
                ("position 0", 0, "client-1", 5, "x.y", 1, "{}", "{}"),
                ("a stream with a space", 3, "client 1", 0, "x.y", 1, "{}", "{}"),
                ("a stream of 201 characters", 3, "c" + String(repeating: "x", count: 200), 0, "x.y", 1, "{}", "{}"),
                ("a negative version", 3, "client-1", -1, "x.y", 1, "{}", "{}"),
                ("a type starting with a dot", 3, "client-1", 0, ".x", 1, "{}", "{}"),
                ("schema version 0", 3, "client-1", 0, "x.y", 0, "{}", "{}"),
                ("data that is an array", 3, "client-1", 0, "x.y", 1, "[]", "{}"),
                ("metadata that is a number", 3, "client-1", 0, "x.y", 1, "{}", "1"),
            ]
            for (what, position, stream, version, type, schemaVersion, data, metadata) in refused {
                let error = await #expect(throws: PostgresError.self, "\(what)") {
                    try await database.pool.withConnection { connection in
                        try await connection.execute(
                            """
                            INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                            VALUES (\(position), \(stream), \(version), gen_random_uuid(), \(type), \(schemaVersion)::smallint,
                                    \(data)::jsonb, \(metadata)::jsonb)
                            """)
                    }
                }
                #expect(error?.sqlState == "23514", "\(what)")
            }
            let headChanges: [SQL] = [
                "UPDATE log_head SET position = -1", "INSERT INTO log_head (singleton, position) VALUES (false, 0)",
            ]
            for statement in headChanges {
                let error = await #expect(throws: PostgresError.self) {
                    try await database.pool.withConnection { try await $0.execute(statement) }
                }
                #expect(error?.sqlState == "23514")
            }
            #expect(try await database.chainVerifier.verify().checkedCount == 2, "nothing written")
            // The 200-character limit is inclusive, as before.
            try await database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                    VALUES (3, 'c' || repeat('x', 199), 0, gen_random_uuid(), 't' || repeat('x', 199), 32767, '{}', '{}')
                    """)
                try await connection.execute("UPDATE log_head SET position = 3")
            }
            #expect(try await database.chainVerifier.verify().checkedCount == 3)
        }
    }
}
