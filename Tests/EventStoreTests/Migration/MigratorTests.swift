import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test("apply once, record each file, and are a no-op the second time, even when two race")
    func appliesOnce() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let migrator = try Migrator(directory: TestDatabase.schemaDirectory)
            #expect(!migrator.migrations.isEmpty)
            async let first = migrator.migrate(pool: database.pool)
            async let second = migrator.migrate(pool: ConnectionPool(configuration: database.configuration))
            let applied = try await [first, second].map(\.count)
            #expect(applied.sorted() == [0, migrator.migrations.count])
            #expect(try await migrator.migrate(pool: database.pool).isEmpty)
            #expect(try await migrator.appliedVersions(pool: database.pool) == migrator.migrations.map(\.version))
        }
    }

    @Test("refuse to run when an applied file was edited afterwards")
    func detectsEditedMigration() async throws {
        try await TestDatabase.with { database in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            for file in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.schemaDirectory.path) {
                var text = try String(
                    contentsOf: TestDatabase.schemaDirectory.appendingPathComponent(file), encoding: .utf8)
                if file.hasPrefix("0001") { text += "\n-- edited\n" }
                try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
            }
            let error = await #expect(throws: Migrator.Failure.self) {
                try await Migrator(directory: folder).migrate(pool: database.pool)
            }
            #expect(error?.description.contains("edited after it was applied") == true)
        }
    }

    @Test("reject a badly named migration file")
    func rejectsBadNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("init.sql"), atomically: true, encoding: .utf8)
        #expect(throws: Migrator.Failure.self) { try Migrator(directory: folder) }
    }
}
