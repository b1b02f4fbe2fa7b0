import Clinic
import EventStore
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

/// The clients of `RevenueAttributionTests`, recorded today with business times in 2026: like an import, the
/// recording time says nothing about when things happened. D (consultation 02-22, session 03-01, touch-up 07-15) is
/// recorded after a cut.
@Suite("As of what: known at (recorded_at) and effective at (business time) on the clinic projections")
struct AsOfTests {
    static func day(_ text: String) -> Date { ClinicHistoryFixture.day(text, 0).addingTimeInterval(86_400 - 0.000_001) }

    @Test("effective at a date folds only what had happened by then, whatever was recorded later")
    func effectiveAt() async throws {
        try await TestDatabase.with { database in
            let clientD = UUID()
            try await RevenueAttributionTests.seedABC(database.store)
            try await RevenueAttributionTests.seedD(database.store, id: clientD)
            let head = try await database.store.headPosition()
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let runner = ProjectionRunner(
                store: database.store,
                projections: ClinicProjections.all().map {
                    EffectiveAtProjection($0, effectiveAt: Self.day("2026-02-28"))
                })
            try await runner.buildSnapshot(ClinicProjections.names, upTo: head, asOf: nil, into: "audit_feb")
            try await Snapshots.recordEffectiveAt(Self.day("2026-02-28"), schema: "audit_feb", pool: database.pool)

            let report = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .month, schema: "audit_feb", pool: database.pool)
            #expect(report.lines.map(\.group) == ["2026-01", "2026-02"])
            #expect(report.total.coursesStarted == 4 && report.total.coursesFinished == 0)
            // Live, D's course completed on 03-01 and the year has two more months of money.
            let live = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .month, pool: database.pool)
            #expect(live.lines.map(\.group) == ["2026-01", "2026-02", "2026-03", "2026-07"])
            #expect(live.total.coursesFinished == 1)
            #expect(report.lines.first { $0.group == "2026-02" } == live.lines.first { $0.group == "2026-02" })
            // Outstanding at the end of February: A 2,700 − (1,300 − 100), B 2,000 (deposit refunded), C 2,400 − 200, D 2,000.
            let outstanding: Int64 = 150_000 + 200_000 + 220_000 + 200_000
            #expect(report.positions.first?.outstandingMinor == outstanding)

            let timeline = try #require(
                try await TimelineQueries.timeline(client: clientD, schema: "audit_feb", store: database.store))
            #expect(timeline.entries.map(\.kind) == ["registered", "consultation", "consultation", "plan", "session"])
            #expect(timeline.sessionsPerformed == 0 && timeline.nextAppointmentKind == "session 1")

            let record = try #require(try await Snapshots.record(schema: "audit_feb", pool: database.pool))
            #expect(record.question == AsOfQuestion(effectiveAt: Self.day("2026-02-28")))
            #expect(record.description.contains("as effective at 2026-02-28T23:59:59Z"))
            #expect(record.description.contains("up to position \(head)"))
        }
    }

    @Test("known at a time folds the log as it stood: on an imported history, before the import it is empty")
    func knownAt() async throws {
        try await TestDatabase.with { database in
            let beforeImport = Date()
            try await Task.sleep(for: .milliseconds(20))
            try await RevenueAttributionTests.seedABC(database.store)
            try await Task.sleep(for: .milliseconds(20))
            let cut = Date()
            try await Task.sleep(for: .milliseconds(20))
            try await RevenueAttributionTests.seedD(database.store)

            let question = AsOfQuestion(knownAt: cut)
            let (lines, position, coursesStarted) = try await AsOfBuild.withScratchSnapshot(
                question, projections: ClinicProjections.all(), store: database.store, pool: database.pool
            ) { schema, position in
                let report = try await RevenueQueries.report(
                    from: "2026-01-01", to: "2026-12-31", by: .month, schema: schema, pool: database.pool)
                return (report.lines.map(\.group), position, report.total.coursesStarted)
            }
            let atCut = try await database.store.position(asOf: cut)
            let head = try await database.store.headPosition()
            #expect(position == atCut)
            #expect(position > 0 && position < head)
            #expect(lines == ["2026-01", "2026-02"])  // D was recorded after the cut
            #expect(coursesStarted == 3)
            #expect(question.describe(position: position).hasPrefix("as known at "))

            let empty = try await AsOfBuild.withScratchSnapshot(
                AsOfQuestion(knownAt: beforeImport, effectiveAt: Self.day("2026-12-31")),
                projections: [RevenueProjection()], store: database.store, pool: database.pool
            ) { schema, position in
                (
                    position,
                    try await RevenueQueries.report(
                        from: "2026-01-01", to: "2026-12-31", by: .month, schema: schema, pool: database.pool
                    ).lines.count
                )
            }
            #expect(empty.0 == 0 && empty.1 == 0)
            // The scratch schemas are gone.
            let left = try await database.pool.withConnection { connection in
                try await connection.query(
                    "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'asof\\_%'"
                ).first?.decode(Int.self, at: 0)
            }
            #expect(left == 0)
        }
    }
}
