import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Schema/0035 computes the chain link as one expression, `stipple_chain_hash` a LANGUAGE sql function the planner
/// inlines (the fields' length prefixes from `array_send` of a bytea array), and the trigger reads the predecessor's
/// hash straight into `prev_hash`: the same canonical form, so a database that already has events keeps every stored
/// byte and link and verifies across the migration, and any insert into `events`, whichever way it comes, is still
/// linked by the database or refused.
@Suite("Migration 0035: the chain link as one inlined expression")
struct ChainLinkMigrationTests {
    /// Rows inserted behind the append path's back, each statement supplying forged links and category.
    static func insertDirectly(_ connection: PostgresConnection, after head: Int64, count: Int) async throws {
        try await connection.execute(
            """
            INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata,
                                category, prev_hash, hash)
            SELECT \(head) + g, 'direct-' || (\(head) + g), 0, gen_random_uuid(), 'x.y', g::smallint,
                   jsonb_build_object('g', g, 'text', 'naïve "quoted" \\ ☕'), '{"actor": "tests"}', 'forged',
                   decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex')
              FROM generate_series(1, \(count)) g
            """)
        try await connection.execute("UPDATE log_head SET position = \(head + Int64(count))")
    }

    @Test("an existing log keeps every byte and link, verifies with old and new events, and appends on")
    func upgradesAnExistingLog() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 35)
            try await database.appendAuditEvents(12, streams: 3, perAppend: 3)
            try await database.appendAuditEvents(4)
            try await database.appendAuditBulk(streams: 2, perStream: 3)
            try await CategoryMigrationTests.appendMixed(database.store, round: 1)
            let before = try await CheckDomainsMigrationTests.rawRows(database)
            #expect(before.count == 28)

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(35))
            #expect(try await CheckDomainsMigrationTests.rawRows(database) == before, "no byte and no link changed")
            #expect(try await database.chainVerifier.verify().findings == [])

            // Through the same pool: sessions that ran the old trigger and function run the new ones.
            try await database.appendAuditEvents(5, streams: 2, perAppend: 2)
            try await database.appendAuditEvents(3)
            try await database.appendAuditBulk(streams: 2, perStream: 2)
            try await CategoryMigrationTests.appendMixed(database.store, round: 2)
            try await database.pool.withConnection { connection in
                try await Self.insertDirectly(connection, after: 46, count: 3)
            }
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 49)
            #expect(try await CategoryMigrationTests.categoryState(database).wrong == 0)
        }
    }

    @Test("direct inserts are linked whatever they supply: the first event, several in one statement, any encoding")
    func directInsertsLinked() async throws {
        try await TestDatabase.with { database in
            try await database.pool.withConnection { connection in
                // The first event of the log: no predecessor, linked to 32 zero bytes.
                try await Self.insertDirectly(connection, after: 0, count: 1)
                try await Self.insertDirectly(connection, after: 1, count: 4)
                // A session whose client encoding is not UTF-8: the link is over the stored text's UTF-8 bytes.
                try await connection.withTransaction { connection in
                    try await connection.execute("SET LOCAL client_encoding = 'LATIN1'")
                    try await connection.execute(
                        """
                        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata,
                                            recorded_at)
                        VALUES (6, 'client-1', 0, gen_random_uuid(), 'a.b', 1, '{"name": "Zoë"}', '{}',
                                '1969-12-31 23:59:59.999999+00')
                        """)
                    try await connection.execute("UPDATE log_head SET position = 6")
                }
            }
            try await database.appendAuditEvents(3, perAppend: 2)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 9)
            #expect(try await CategoryMigrationTests.categoryState(database).wrong == 0)
            let genesis = try await database.pool.withConnection { connection in
                try await connection.query("SELECT prev_hash FROM events WHERE position = \(Int64(1))").first?
                    .decode(Bytea.self, at: 0).bytes
            }
            #expect(genesis == [UInt8](repeating: 0, count: 32))
        }
    }

    @Test("an insert without its predecessor, or without a position, is refused with SE003")
    func unlinkableRefused() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(2)
            let positions: [Int64?] = [5, nil, 1]
            for position in positions {
                let refused = await #expect(throws: PostgresError.self) {
                    try await database.pool.withConnection { connection in
                        try await connection.execute(
                            """
                            INSERT INTO events (position, stream, version, event_id, type, schema_version, data,
                                                metadata)
                            VALUES (\(position), 'client-9', 0, gen_random_uuid(), 'x.y', 1, '{}', '{}')
                            """)
                    }
                }
                // Position 1 is linked (to nothing before it) and then refused as a duplicate position.
                #expect(refused?.sqlState == (position == 1 ? "23505" : "SE003"))
            }
            #expect(try await database.chainVerifier.verify().checkedCount == 2)
        }
    }

    @Test("stipple_chain_hash gives the stored link of every event, as the Swift verifier does")
    func functionAgreesWithTrigger() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(6, perAppend: 2)
            let mismatches = try await database.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM events
                     WHERE hash IS DISTINCT FROM stipple_chain_hash(prev_hash, position, stream, version, event_id, type,
                                                                    schema_version, data, metadata, recorded_at)
                    """
                ).first?.decode(Int.self)
            }
            #expect(mismatches == 0)
        }
    }
}
