import ClinicService
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Access log")
struct AuditAccessLogTests {
    @Test("records who read what, when, why and how, and lists a subject's entries newest first")
    func recordAndList() async throws {
        try await TestDatabase.with { database in
            let log = AccessLog(pool: database.pool)
            let first = try await log.record(
                actor: "alice", action: "timeline.read", subject: ClinicPrivacy.accessSubject(client: "42"),
                reason: "follow-up call", channel: .api)
            #expect(first.subject == "client-42")
            #expect(first.subjectKind == "client")
            #expect(first.reason == "follow-up call")
            #expect(abs(first.at.timeIntervalSinceNow) < 60)
            try await log.record(actor: "bob", action: "client.export", subject: "client-42", channel: .cli)
            try await log.record(actor: "bob", action: "timeline.read", subject: "client-7", channel: .cli)

            let entries = try await log.entries(subject: "client-42")
            #expect(entries.map(\.actor) == ["bob", "alice"])
            #expect(entries.map(\.channel) == [.cli, .api])
            #expect(entries.last == first)
            #expect(try await log.entries(limit: 2).map(\.subject) == ["client-7", "client-42"])
            #expect(try await log.entries(subject: "client-404").isEmpty)
        }
    }

    @Test("is append-only: UPDATE, DELETE and TRUNCATE are rejected")
    func appendOnly() async throws {
        try await TestDatabase.with { database in
            try await AccessLog(pool: database.pool).record(
                actor: "alice", action: "timeline.read", subject: "client-1", channel: .api)
            for statement: SQL in [
                "UPDATE access_log SET actor = 'mallory'", "DELETE FROM access_log", "TRUNCATE access_log",
            ] {
                let error = await #expect(throws: PostgresError.self) {
                    try await database.pool.withConnection { try await $0.execute(statement) }
                }
                #expect(error?.sqlState == "SE001")
                #expect(error?.message.contains("append-only") == true)
            }
            #expect(try await AccessLog(pool: database.pool).entries().map(\.actor) == ["alice"])
        }
    }

    @Test("rejects an empty actor, a malformed action and an overlong reason before writing")
    func validates() async throws {
        try await TestDatabase.with { database in
            let log = AccessLog(pool: database.pool)
            let cases: [(String, String, String, String?)] = [
                ("", "timeline.read", "client-1", nil),
                ("alice", "Timeline Read", "client-1", nil),
                ("alice", "timeline.read", "", nil),
                ("alice\n", "timeline.read", "client-1", nil),
                ("alice", "timeline.read", "client-1", String(repeating: "x", count: 1001)),
            ]
            for (actor, action, subject, reason) in cases {
                await #expect(throws: AuditError.self) {
                    try await log.record(actor: actor, action: action, subject: subject, reason: reason, channel: .cli)
                }
            }
            let entries = try await log.entries()
            #expect(entries.isEmpty)
        }
    }
}
