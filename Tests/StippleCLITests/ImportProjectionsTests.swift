import Foundation
import TestSupport
import Testing

@Suite("export, then import into an empty database")
struct ImportProjectionsTests {
    @Test("gives identical events and identical projections")
    func identicalProjections() async throws {
        try await TestDatabase.with { source in
            try await TestDatabase.with { target in
                let from = source.configuration.connectionString
                let to = target.configuration.connectionString
                #expect(
                    try await CLIRunner.run(["generate", "--clients", "12", "--seed", "5", "--database-url", from])
                        .exitCode
                        == 0)
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID()).jsonl")
                defer { try? FileManager.default.removeItem(at: file) }
                let export = try await CLIRunner.run(["export", "--output", file.path, "--database-url", from])
                #expect(export.exitCode == 0, "\(export.standardError)")
                let imported = try await CLIRunner.run(["import", file.path, "--database-url", to])
                #expect(imported.exitCode == 0, "\(imported.standardError)")
                #expect(try await CLIRunner.run(["project", "--database-url", from]).exitCode == 0)
                #expect(try await CLIRunner.run(["project", "--database-url", to]).exitCode == 0)
                let sourceEvents = try await source.eventsFingerprint()
                #expect(sourceEvents.count > 100)
                #expect(try await target.eventsFingerprint() == sourceEvents)
                let sourceTables = try await ProjectKillTests.tables(source)
                #expect(sourceTables.count > 100)
                #expect(try await ProjectKillTests.tables(target) == sourceTables)
            }
        }
    }
}
