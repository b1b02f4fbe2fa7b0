import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Reads of a client's personal data are logged")
struct AccessLogCommandTests {
    @Test("timeline and a client export are recorded with who, what and why, and audit access lists them")
    func timelineAndExportAreLogged() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let generated = try await CLIRunner.run([
                "generate", "--clients", "3", "--seed", "11", "--database-url", url,
            ])
            #expect(generated.exitCode == 0, "\(generated.standardError)")
            let stream = try #require(
                try await database.pool.withConnection { connection in
                    try await connection.query("SELECT stream FROM events WHERE category = 'client' LIMIT 1")
                        .first?.decode(String.self, at: 0)
                })
            let client = String(stream.dropFirst("client-".count))
            let timeline = try await CLIRunner.run(
                ["timeline", client, "--reason", "checking the balance", "--database-url", url],
                environment: ["USER": "frontdesk"])
            #expect(timeline.exitCode == 0, "\(timeline.standardError)")
            let export = try await CLIRunner.run(
                ["export", "--stream", stream, "--database-url", url], environment: ["USER": "frontdesk"])
            #expect(export.exitCode == 0)
            let technicians = try await CLIRunner.run(["export", "--category", "technician", "--database-url", url])
            #expect(technicians.exitCode == 0)
            let log = try await database.pool.withConnection { connection in
                try await connection.query(
                    "SELECT actor, action, subject, coalesce(reason, ''), channel FROM access_log ORDER BY 1, 2"
                )
                .map { row in try (0..<5).map { try row.decode(String.self, at: $0) }.joined(separator: "|") }
            }
            #expect(
                log == [
                    "os:frontdesk|export|\(stream)||cli",
                    "os:frontdesk|timeline.read|\(stream)|checking the balance|cli",
                ])
            let listed = try await CLIRunner.run(["audit", "access", "--client", client, "--database-url", url])
            #expect(listed.exitCode == 0)
            #expect(listed.standardOutput.contains("checking the balance"))
            #expect(listed.standardOutput.contains("os:frontdesk"))
        }
    }
}
