import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("stipple audit")
struct AuditCommandTests {
    private func appendSome(_ database: TestDatabase, _ count: Int) async throws {
        for index in 0..<count {
            try await database.store.append(
                [NewEvent(type: "thing.happened", json: #"{"n": \#(index)}"#)],
                to: try StreamName("client-\(index % 3)"),
                expectedVersion: .any)
        }
    }

    @Test("verify, seal and verify --against on an intact log exit 0 and say what they checked")
    func intact() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database, 12)
            let url = database.configuration.connectionString
            let verify = try await CLIRunner.run(["audit", "verify", "--actor", "ada", "--database-url", url])
            #expect(verify.exitCode == 0, "\(verify.standardError)")
            #expect(verify.standardOutput.hasPrefix("12 events verified (positions 1–12), head 12:"))
            let recorded = try #require(try await ChainVerifications(pool: database.pool).latest())
            #expect(recorded.actor == "ada" && recorded.channel == .cli && recorded.isIntact)
            #expect(recorded.checked == 12 && recorded.head?.position == 12)
            #expect(verify.standardOutput.hasPrefix(recorded.summary), "the line printed is the line kept")

            let seal = try await CLIRunner.run(
                ["audit", "seal", "--reason", "month end"], environment: ["STIPPLE_DATABASE_URL": url])
            #expect(seal.exitCode == 0, "\(seal.standardError)")
            #expect(seal.standardOutput.hasPrefix("sealed position 12 hash "))
            let command = try #require(seal.standardOutput.split(separator: "\n").last)
            #expect(command.hasPrefix("stipple audit verify --against 12:"))
            let anchor = String(try #require(command.split(separator: " ").last))

            try await appendSome(database, 2)
            let against = try await CLIRunner.run(["audit", "verify", "--against", anchor, "--database-url", url])
            #expect(against.exitCode == 0, "\(against.standardError)")
            #expect(against.standardOutput.contains("15 events verified"))
            #expect(
                against.standardOutput.contains(
                    "the seal \(anchor) is in the log, and the chain extends it to position 15"))
            #expect(against.standardOutput.contains("1 seal(s) recorded in the log match it"))

            let partial = try await CLIRunner.run(["audit", "verify", "--from", "13", "--database-url", url])
            #expect(partial.exitCode == 0)
            #expect(partial.standardOutput.hasPrefix("3 events verified (positions 13–15)"))
        }
    }

    @Test("tampering makes verify exit 2 with one line per finding, and seal refuses")
    func tampered() async throws {
        try await TestDatabase.with { database in
            try await appendSome(database, 10)
            let url = database.configuration.connectionString
            let seal = try await CLIRunner.run(["audit", "seal", "--database-url", url])
            let anchor = String(
                try #require(seal.standardOutput.split(separator: " ").last?.split(separator: "\n").first))
            try await database.pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    try await connection.execute("SET LOCAL session_replication_role = replica")
                    try await connection.execute(#"UPDATE events SET data = '{"n": 77}' WHERE position = 6"#)
                    try await connection.execute("DELETE FROM events WHERE position = 9")
                }
            }
            let verify = try await CLIRunner.run(["audit", "verify", "--database-url", url])
            #expect(verify.exitCode == 2)
            let recorded = try #require(try await ChainVerifications(pool: database.pool).latest())
            #expect(!recorded.isIntact && recorded.findings == 2)
            #expect(recorded.summary.hasPrefix("verification FAILED: 2 finding(s), first: position 6: changed content"))
            // The record itself cannot be rewritten into a clean one.
            await #expect(throws: (any Error).self) {
                try await database.pool.withConnection { connection in
                    try await connection.execute("UPDATE chain_verifications SET intact = true")
                }
            }
            let lines = verify.standardOutput.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("position 6: changed content: ") == true)
            #expect(lines.dropFirst().first == "position 9: missing events: event 9 is gone: the log goes from 8 to 10")
            #expect(lines.last?.hasPrefix("verification FAILED: 2 finding(s), first at position 6") == true)

            let against = try await CLIRunner.run([
                "audit", "verify", "--from", "8", "--against", anchor, "--database-url", url,
            ])
            #expect(against.exitCode == 2)
            #expect(against.standardOutput.hasPrefix("position 9: missing events"))

            let refused = try await CLIRunner.run(["audit", "seal", "--database-url", url])
            #expect(refused.exitCode == 2)
            #expect(refused.standardOutput.contains("not sealed: the log does not verify"))
        }
    }

    @Test("bad input is one clear line and exit 1; sealing an empty log is refused")
    func badInput() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let bad = try await CLIRunner.run(["audit", "verify", "--against", "12:nothex", "--database-url", url])
            #expect(bad.exitCode == 1)
            #expect(bad.standardError.hasPrefix("stipple: error: invalid seal '12:nothex'"))
            #expect(bad.standardError.split(separator: "\n").count == 1)
            let empty = try await CLIRunner.run(["audit", "seal", "--database-url", url])
            #expect(empty.exitCode == 1)
            #expect(empty.standardError.contains("nothing to seal"))
            let verifyEmpty = try await CLIRunner.run(["audit", "verify", "--database-url", url])
            #expect(verifyEmpty.exitCode == 0)
            #expect(verifyEmpty.standardOutput.hasPrefix("0 events verified"))
        }
    }

    @Test("access lists the access log newest first, filtered by client or subject")
    func access() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let empty = try await CLIRunner.run(["audit", "access", "--database-url", url])
            #expect(empty.exitCode == 0)
            #expect(empty.standardOutput == "the access log is empty\n")
            let log = AccessLog(pool: database.pool)
            try await log.record(
                actor: "alice", action: "timeline.read", subject: "client-42", reason: "consult", channel: .api)
            try await log.record(actor: "bob", action: "client.export", subject: "client-42", channel: .cli)
            try await log.record(actor: "carol", action: "timeline.read", subject: "client-7", channel: .api)

            let client = try await CLIRunner.run(["audit", "access", "--client", "42", "--database-url", url])
            #expect(client.exitCode == 0, "\(client.standardError)")
            let lines = client.standardOutput.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.contains("  bob  client.export  client-42  via cli") == true)
            #expect(lines.last?.hasSuffix("alice  timeline.read  client-42  via api reason: consult") == true)

            let subject = try await CLIRunner.run(["audit", "access", "--subject", "client-7", "--database-url", url])
            #expect(subject.standardOutput.split(separator: "\n").count == 1)
            let limited = try await CLIRunner.run(["audit", "access", "--limit", "2", "--database-url", url])
            #expect(limited.standardOutput.split(separator: "\n").count == 2)
            let none = try await CLIRunner.run(["audit", "access", "--client", "404", "--database-url", url])
            #expect(none.standardOutput == "no recorded access to client-404\n")
            let both = try await CLIRunner.run([
                "audit", "access", "--client", "1", "--subject", "x", "--database-url", url,
            ])
            #expect(both.exitCode != 0)
            #expect(both.standardError.contains("not both"))
        }
    }
}
