import Clinic
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

@Suite("The schedule projection")
struct ScheduleProjectionTests {
    static func build(_ database: TestDatabase) async throws -> ScheduleQueries {
        try await SMPHistory.append(SMPHistory.events, to: database.store)
        try await ProjectionRunner(
            store: database.store, projections: [TimelineProjection(), ScheduleProjection()], batchSize: 5
        ).catchUp()
        return ScheduleQueries(pool: database.pool)
    }

    static func line(_ a: ScheduledAppointment) -> String {
        let time = a.startsAt.formatted(.iso8601)
        return "\(time) \(a.label) \(a.status) \(a.location) \(a.technician) \(a.clientName ?? "-")"
    }

    @Test("a day lists every appointment starting on it with its status, names joined")
    func day() async throws {
        try await TestDatabase.with { database in
            let queries = try await Self.build(database)
            let day = try await queries.day(starting: SMPHistory.date("2024-02-01"))
            #expect(
                day.map(Self.line) == [
                    "2024-02-01T10:00:00Z consultation completed LDN T-01 Alice Able",
                    "2024-02-01T12:00:00Z consultation cancelled LDN T-01 Cara Cole",
                    "2024-02-01T15:00:00Z session 1 completed LDN T-02 -",
                ])
            #expect(day.allSatisfy { $0.locationName == "Stipple London" })
            #expect(day.map(\.technicianName) == ["Ana Ruiz", "Ana Ruiz", "Ben Cole"])
            #expect(day[1].cancelledBy == "clinic")
            #expect(day[1].reason == "technician ill")
            #expect(day[2].endsAt == SMPHistory.date("2024-02-01", 17))
            let ben = try await queries.day(starting: SMPHistory.date("2024-02-01"), technician: "T-02")
            #expect(ben.map(\.label) == ["session 1"])
            #expect(try await queries.day(starting: SMPHistory.date("2024-02-01"), location: "NYC").isEmpty)
            // Bob's consultation moved to the next day and technician; he was later forgotten.
            let next = try await queries.day(starting: SMPHistory.date("2024-02-02"))
            #expect(next.map(Self.line) == ["2024-02-02T14:00:00Z consultation completed LDN T-01 (erased)"])
            #expect(next.first?.reschedules == 1)
        }
    }

    @Test("upcoming shows only booked or rescheduled appointments; missed ones are listed by range")
    func upcomingAndMissed() async throws {
        try await TestDatabase.with { database in
            let queries = try await Self.build(database)
            let upcoming = try await queries.upcoming(from: SMPHistory.date("2024-06-15"))
            #expect(upcoming.map(Self.line) == ["2024-07-01T10:00:00Z consultation booked LDN T-02 Cara Cole"])
            #expect(try await queries.upcoming(from: SMPHistory.date("2024-07-02")).isEmpty)
            let missed = try await queries.noShowsAndCancellations(
                from: SMPHistory.date("2024-01-01"), to: SMPHistory.date("2025-01-01"))
            #expect(
                missed.map(Self.line) == [
                    "2024-02-01T12:00:00Z consultation cancelled LDN T-01 Cara Cole",
                    "2024-03-01T09:00:00Z session 2 cancelled LDN T-02 (erased)",
                    "2024-03-09T09:00:00Z session 3 no-show LDN T-01 Alice Able",
                ])
            #expect(missed[1].cancelledBy == "client")
            let march = try await queries.noShowsAndCancellations(
                from: SMPHistory.date("2024-03-05"), to: SMPHistory.date("2024-04-01"), technician: "T-01")
            #expect(march.map(\.status) == ["no-show"])
            #expect(try await queries.knows(technician: "T-01"))
            #expect(try await !queries.knows(location: "NYC"))
        }
    }
}
