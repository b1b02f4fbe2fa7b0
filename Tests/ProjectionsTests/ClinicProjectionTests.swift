import Clinic
import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

@Suite("Timeline and revenue projections")
struct ClinicProjectionTests {
    @Test("the timeline shows every step in order with the balance and the next appointment")
    func timeline() async throws {
        try await TestDatabase.with { database in
            let client = UUID()
            let (session3, _) = try await ClinicHistoryFixture(store: database.store).courseClient(client)
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let timeline = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            #expect(timeline.displayName == "Dario Okafor")
            #expect(timeline.paidMinor == 130_000)  // deposit 300 + payment 1,000
            #expect(timeline.refundedMinor == 10_000)
            #expect(timeline.chargedMinor == 270_000)  // 3 × 900
            #expect(timeline.balanceMinor == 150_000)  // 2,700 − (1,300 − 100)
            #expect(timeline.sessionsPerformed == 2)
            #expect(timeline.nextAppointmentAt == session3)
            #expect(timeline.nextAppointmentKind == "session 3")
            #expect(
                timeline.entries.map(\.kind) == [
                    "registered", "plan", "deposit", "session", "session", "deposit", "payment", "session", "session",
                    "refund", "session",
                ])
            #expect(timeline.entries[4].summary.contains("Session 1 performed by ana at soho"))
            #expect(timeline.entries[4].summary.contains("batch DB-91024110"))
            #expect(timeline.entries.allSatisfy { !$0.summary.contains("Dario") })
        }
    }

    @Test("the entries are folded up to where the projection stands, agreeing with the client's row")
    func entriesStopAtTheCheckpoint() async throws {
        try await TestDatabase.with { database in
            let client = UUID()
            let fixture = ClinicHistoryFixture(store: database.store)
            try await fixture.courseClient(client)
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all())
            try await runner.catchUp()
            let before = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            try await fixture.append(
                client,
                [.forgotten(ClientForgotten(at: ClinicHistoryFixture.day("2026-03-01"), reason: "GDPR request"))])
            // Appended, not yet projected: neither the row nor the entries know of it.
            let lagging = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            #expect(lagging == before)
            #expect(!lagging.erased && lagging.entries.last?.kind == "session")
            try await runner.catchUp()
            let after = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            #expect(after.erased && after.entries.map(\.kind) == before.entries.map(\.kind) + ["erased"])
            #expect(after.entries.dropLast() == before.entries[...])
            // A copy of the table in a schema that is neither the projection's nor a snapshot's: no position to
            // stop at, so it is refused rather than read to the head.
            _ = try await database.pool.withConnection { connection in
                try await connection.executeScript(
                    "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.timeline_clients AS TABLE timeline.timeline_clients"
                )
            }
            await #expect(throws: TimelineQueries.NotATimelineSchema.self) {
                _ = try await TimelineQueries.timeline(client: client, schema: "elsewhere", store: database.store)
            }
        }
    }

    @Test("revenue splits cash from earned and keeps deposits, refunds and rates")
    func revenue() async throws {
        try await TestDatabase.with { database in
            try await ClinicHistoryFixture(store: database.store).courseClient(UUID())
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let byMonth = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .month, pool: database.pool)
            let january = try #require(byMonth.lines.first { $0.group == "2026-01" })
            let february = try #require(byMonth.lines.first { $0.group == "2026-02" })
            #expect(january.cashReceivedMinor == 30_000)  // the deposit
            #expect(january.depositsTakenMinor == 30_000)
            #expect(january.earnedMinor == 0)
            #expect(february.cashReceivedMinor == 100_000)
            #expect(february.earnedMinor == 180_000)  // two sessions at 900
            #expect(february.refundsMinor == 10_000)
            #expect(february.depositsAppliedMinor == 30_000)
            #expect(february.services == 2)
            let byTechnician = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .technician, pool: database.pool)
            #expect(byTechnician.lines.first { $0.group == "ana" }?.earnedMinor == 180_000)
            let position = try #require(byMonth.positions.first)
            #expect(position.currency == "USD")
            #expect(position.depositsHeldMinor == 0)
            #expect(position.outstandingMinor == 150_000)
            #expect(position.clientsOwing == 1)
            #expect(byMonth.courseCompletionRate == 0)
            let march = try await RevenueQueries.report(
                from: "2026-03-01", to: "2026-03-31", by: .day, pool: database.pool)
            #expect(march.lines.isEmpty)
        }
    }

    @Test("forgetting a client erases the name from the timeline and keeps the treatment facts")
    func forgetting() async throws {
        try await TestDatabase.with { database in
            let client = UUID()
            let fixture = ClinicHistoryFixture(store: database.store)
            try await fixture.courseClient(client)
            try await fixture.append(
                client,
                [.forgotten(ClientForgotten(at: ClinicHistoryFixture.day("2026-03-01"), reason: "GDPR request"))])
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let timeline = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            #expect(timeline.erased)
            #expect(timeline.displayName == nil)
            #expect(timeline.sessionsPerformed == 2)
            #expect(timeline.entries.last?.kind == "erased")
        }
    }

    @Test("a history followed in small steps ends exactly where one rebuild does")
    func followedEqualsRebuilt() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 3)
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<3 {
                try await fixture.courseClient(UUID())
                try await runner.catchUp()
            }
            let followed = try await snapshot(database)
            for name in ClinicProjections.names { try await runner.rebuild(name) }
            #expect(try await snapshot(database) == followed)
            #expect(!followed.isEmpty)
        }
    }
}

/// Every row of the timeline and revenue tables, as text, in a stable order.
func snapshot(_ database: TestDatabase, schemas: (String, String) = ("timeline", "revenue")) async throws -> [String] {
    try await database.pool.withConnection { connection in
        var lines: [String] = []
        for table: SQL in [
            "SELECT t::text FROM \(identifier: schemas.0).timeline_clients t ORDER BY client_id",
            "SELECT t::text FROM \(identifier: schemas.1).revenue_daily t ORDER BY day, location, technician, service",
            "SELECT t::text FROM \(identifier: schemas.1).revenue_clients t ORDER BY client_id",
        ] {
            lines += try await connection.query(table).map { try $0.decode(String.self, at: 0) }
        }
        return lines
    }
}
