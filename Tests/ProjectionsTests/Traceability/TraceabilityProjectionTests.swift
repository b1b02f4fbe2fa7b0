import Clinic
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

@Suite("The pigment traceability projection")
struct TraceabilityProjectionTests {
    @Test("a recalled batch lists every use with client, time, technician, location and appointment")
    func recallReport() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            let runner = ProjectionRunner(
                store: database.store, projections: [TimelineProjection(), TraceabilityProjection()], batchSize: 7)
            try await runner.catchUp()
            let report = try #require(try await RecallQueries(pool: database.pool).recall(batch: "DB-100"))
            #expect(report.product == "Scalp Ink Charcoal")
            #expect(report.expiresOn == "2026-01-31")
            #expect(report.supplier == "Pigmentworks")
            #expect(report.location == "LDN")
            #expect(report.receivedAt == SMPHistory.date("2024-01-05"))
            #expect(report.recalledAt == SMPHistory.date("2024-04-01"))
            #expect(report.recallReason == "Contaminated with PAH")
            let alice = SMPHistory.alice.uuidString.lowercased()
            let bob = SMPHistory.bob.uuidString.lowercased()
            #expect(
                report.uses.map { "\($0.clientID)|\($0.kind) \($0.sessionNumber ?? 0)|\($0.technician)|\($0.location)" }
                    == [
                        "\(alice)|session 1|T-01|LDN", "\(bob)|session 1|T-02|LDN", "\(alice)|session 2|T-02|LDN",
                    ])
            #expect(
                report.uses.map(\.performedAt) == [
                    SMPHistory.date("2024-02-10", 9), SMPHistory.date("2024-02-15", 9),
                    SMPHistory.date("2024-02-24", 9),
                ])
            #expect(
                report.uses.map(\.appointmentID)
                    == [0x2001, 0x3001, 0x2002].map { SMPHistory.uuid($0).uuidString.lowercased() })
            #expect(report.uses.allSatisfy { $0.dilution == "Charcoal, 20% diluted" && $0.expiresOn == "2026-01-31" })
            // Two distinct clients to contact; Bob was forgotten, so his name reads "(erased)".
            #expect(report.clients.map(\.clientID) == [alice, bob])
            #expect(report.clients.map(\.name) == ["Alice Able", "(erased)"])
            #expect(report.clients.map(\.uses) == [2, 1])
            #expect(report.clients[0].firstUse == SMPHistory.date("2024-02-10", 9))
            #expect(report.clients[0].lastUse == SMPHistory.date("2024-02-24", 9))
        }
    }

    @Test("a batch in use but not recalled includes touch-ups and clients the timeline does not name")
    func touchUpsAndUnknownNames() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            try await ProjectionRunner(
                store: database.store, projections: [TimelineProjection(), TraceabilityProjection()]
            ).catchUp()
            let report = try #require(try await RecallQueries(pool: database.pool).recall(batch: "DB-200"))
            #expect(!report.isRecalled)
            #expect(report.recallReason == nil)
            #expect(report.location == nil)
            #expect(report.uses.count == 6)
            #expect(report.uses.last?.kind == "touch-up")
            #expect(report.uses.last?.sessionNumber == nil)
            #expect(report.uses.last?.performedAt == SMPHistory.date("2026-02-01", 10))
            let ids = [SMPHistory.dan, SMPHistory.bob, SMPHistory.alice].map { $0.uuidString.lowercased() }
            #expect(report.clients.map(\.clientID) == ids)
            #expect(report.clients.map(\.name) == [nil, "(erased)", "Alice Able"])
            #expect(report.clients.map(\.uses) == [3, 1, 2])
            #expect(try await RecallQueries(pool: database.pool).recall(batch: "DB-999") == nil)
        }
    }

    @Test("uses of a batch whose arrival was never recorded still answer a recall")
    func unreceivedBatch() async throws {
        try await TestDatabase.with { database in
            let events = SMPHistory.events.filter { $0.0 != "pigment-DB-200" }
            try await SMPHistory.append(events, to: database.store)
            try await ProjectionRunner(store: database.store, projections: [TraceabilityProjection()]).catchUp()
            let report = try #require(try await RecallQueries(pool: database.pool).recall(batch: "DB-200"))
            #expect(report.receivedAt == nil)
            #expect(report.supplier == nil)
            #expect(report.product == "Scalp Ink Graphite", "taken from the uses")
            #expect(report.expiresOn == "2027-06-30")
            #expect(report.clients.allSatisfy { $0.name == nil }, "no timeline projection: no names")
        }
    }
}
