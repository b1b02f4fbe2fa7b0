import Foundation
import TestSupport
import Testing

@Suite("stipple migrate and status")
struct MigrateStatusTests {
    @Test("migrate applies the schema once, status reports it, a second migrate is a no-op")
    func migrateThenStatus() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let url = database.configuration.connectionString
            let first = try await CLIRunner.run(["migrate", "--database-url", url])
            #expect(first.exitCode == 0, "\(first.standardError)")
            #expect(first.standardOutput.contains("Applied 0001 event_store"))
            let second = try await CLIRunner.run(["migrate"], environment: ["STIPPLE_DATABASE_URL": url])
            #expect(second.exitCode == 0)
            #expect(second.standardOutput.contains("up to date"))
            #expect(second.standardError.isEmpty)
            let status = try await CLIRunner.run(["status", "--database-url", url])
            #expect(status.exitCode == 0)
            #expect(status.standardOutput.contains("events           0"))
        }
    }

    @Test("status on an empty database says to migrate, with exit code 1 and one line")
    func statusBeforeMigrate() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let run = try await CLIRunner.run(["status", "--database-url", database.configuration.connectionString])
            #expect(run.exitCode == 1)
            #expect(run.standardError.contains("run `stipple migrate`"))
            #expect(run.standardError.split(separator: "\n").count == 1)
        }
    }

    @Test("an unreachable or missing database is one clear line and a non-zero exit, no trace")
    func unreachable() async throws {
        let bad = try await CLIRunner.run(["status", "--database-url", "postgresql://x@127.0.0.1:1/x"])
        #expect(bad.exitCode == 1)
        #expect(bad.standardError.hasPrefix("stipple: error: cannot connect"))
        #expect(bad.standardError.split(separator: "\n").count == 1)
        let none = try await CLIRunner.run(["status"])
        #expect(none.exitCode == 1)
        #expect(none.standardError.contains("STIPPLE_DATABASE_URL"))
        let garbage = try await CLIRunner.run(["migrate", "--database-url", "not a url"])
        #expect(garbage.exitCode == 1)
        #expect(garbage.standardError.contains("neither a postgresql:// URL"))
    }
}
