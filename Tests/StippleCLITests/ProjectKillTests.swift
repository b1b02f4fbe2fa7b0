import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("stipple project survives kill -9")
struct ProjectKillTests {
    /// Every row of every projection table, as text, in a stable order.
    static func tables(_ database: TestDatabase) async throws -> [String] {
        let names = try await database.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT table_schema, table_name FROM information_schema.tables
                WHERE table_schema IN ('timeline', 'revenue', 'schedule', 'traceability', 'forecast')
                ORDER BY 1, 2
                """
            ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
        }
        var lines: [String] = []
        for (schema, table) in names {
            lines.append("== \(schema).\(table)")
            lines += try await database.rowsAsText(schema: schema, table: table)
        }
        return lines
    }

    @Test("killed at random moments, it resumes and ends exactly where a clean rebuild does")
    func killAndResume() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let generated = try await CLIRunner.run([
                "generate", "--clients", "40", "--seed", "7", "--database-url", url,
            ])
            #expect(generated.exitCode == 0, "\(generated.standardError)")
            var kills = 0
            for attempt in 0..<4 {
                let process = Process()
                process.executableURL = CLIRunner.executable
                process.arguments = ["project", "--batch-size", "25", "--database-url", url]
                var environment = ProcessInfo.processInfo.environment
                environment[MasterKey.valueVariable] = TestDatabase.testMasterKeyText
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                try await Task.sleep(for: .milliseconds(250 + 150 * attempt))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
                process.waitUntilExit()
            }
            let finish = try await CLIRunner.run(["project", "--database-url", url])
            #expect(finish.exitCode == 0, "\(finish.standardError)")
            let resumed = try await Self.tables(database)
            let rebuilt = try await CLIRunner.run(["rebuild", "--database-url", url])
            #expect(rebuilt.exitCode == 0, "\(rebuilt.standardError)")
            // (The clients' fold states, which the rebuild left to be folded from their streams, stored to compare.)
            try await database.storeLeftStates()
            let clean = try await Self.tables(database)
            #expect(resumed.count > 100)
            #expect(resumed == clean)
            // The runs were killed mid-work at least once, or the test proved nothing.
            #expect(kills > 0)
        }
    }
}
