import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Schema/0034 gives `log_head` a fillfactor of 10, so the page holding the head's row is pruned of its dead
/// versions after ~15 appends instead of ~150: a database that already has events keeps both tables' files
/// (nothing rewritten) and every stored byte and link, and appends on. (What the pruning saves is measured, in
/// instructions per append, not asserted: when PostgreSQL prunes also depends on the snapshots other sessions hold.)
@Suite("Migration 0034: log_head's fillfactor")
struct LogHeadFillfactorMigrationTests {
    /// The files of `events` and `log_head` (a rewrite gives a table a new one) and log_head's options.
    static func tables(_ database: TestDatabase) async throws -> (events: Int, head: Int, options: [String]) {
        try await database.pool.withConnection { connection in
            let row = try await connection.query(
                """
                SELECT pg_relation_filenode('events')::bigint, pg_relation_filenode('log_head')::bigint,
                       coalesce((SELECT reloptions FROM pg_class WHERE oid = 'log_head'::regclass), '{}')::text
                """)
            let (events, head, options) = try #require(row.first).decode((Int, Int, String).self)
            let list = options.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",")
            return (events, head, list.map(String.init))
        }
    }

    @Test("an existing log keeps its files, every byte and link, and appends on")
    func upgradesAnExistingLog() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 34)
            try await database.appendAuditEvents(12, streams: 3, perAppend: 3)
            try await CategoryMigrationTests.appendMixed(database.store, round: 1)
            let before = try await CheckDomainsMigrationTests.rawRows(database)
            let filesBefore = try await Self.tables(database)
            #expect(filesBefore.options == [])

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(34))
            let filesAfter = try await Self.tables(database)
            #expect(filesAfter.events == filesBefore.events, "events not rewritten")
            #expect(filesAfter.head == filesBefore.head, "log_head not rewritten")
            #expect(filesAfter.options == ["fillfactor=10"])
            #expect(try await CheckDomainsMigrationTests.rawRows(database) == before, "no byte and no link changed")

            // Through the same pool (sessions that had the table open before) the log appends on and verifies.
            try await database.appendAuditEvents(5, streams: 2, perAppend: 2)
            try await CategoryMigrationTests.appendMixed(database.store, round: 2)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 29)
        }
    }
}
