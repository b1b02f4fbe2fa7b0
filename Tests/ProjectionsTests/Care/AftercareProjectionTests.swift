import Clinic
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

@Suite("The aftercare follow-up list")
struct AftercareProjectionTests {
    static let set = InstructionSetID("smp-standard")!
    static let erin = SMPHistory.uuid(0xE5)
    static let finn = SMPHistory.uuid(0xF6)
    static let s1 = SMPHistory.uuid(0x6001), s2 = SMPHistory.uuid(0x6002), s3 = SMPHistory.uuid(0x6003)
    static let touch = SMPHistory.uuid(0x6004), f1 = SMPHistory.uuid(0x6101)

    static func performed(_ id: AppointmentID, _ number: Int, _ day: String) -> ClientEvent {
        .sessionPerformed(
            SessionPerformed(
                at: SMPHistory.date(day, 10), appointmentID: id, sessionNumber: number, locationID: SMPHistory.london,
                technicianID: number == 2 ? SMPHistory.tech2 : SMPHistory.tech1,
                treatment: SMPHistory.treatment(SMPHistory.batch200)))
    }

    static func aftercare(_ id: AppointmentID, _ day: String, _ hour: Int) -> ClientEvent {
        .instructionsGiven(
            InstructionsGiven(
                at: SMPHistory.date(day, hour), kind: .aftercare, instructionSetID: set, instructionSetVersion: 1,
                appointmentID: id, channel: .email))
    }

    /// Erin: session 1 (1 March 10:00) with aftercare at 13:00 and acknowledged; session 2 (15 March) never;
    /// session 3 (29 March) aftercare on 31 March 09:00, late; a touch-up (1 June) with aftercare 23 h later.
    /// Finn: session 1 (2 March) without aftercare, then forgotten. Pre-care never counts.
    static var events: [(String, ClinicEvent)] {
        let erin = "client-" + Self.erin.uuidString.lowercased()
        let finn = "client-" + Self.finn.uuidString.lowercased()
        return [
            (erin, .client(SMPHistory.registered("2024-02-01", "Erin East", born: "1980-01-01"))),
            (finn, .client(SMPHistory.registered("2024-02-01", "Finn Ford", born: "1981-01-01"))),
            (erin, .client(performed(s1, 1, "2024-03-01"))),
            (erin, .client(aftercare(s1, "2024-03-01", 13))),
            (
                erin,
                .client(
                    .instructionsAcknowledged(
                        InstructionsAcknowledged(
                            at: SMPHistory.date("2024-03-01", 13), appointmentID: s1, kind: .aftercare,
                            method: .signature)))
            ),
            (finn, .client(performed(f1, 1, "2024-03-02"))),
            (erin, .client(performed(s2, 2, "2024-03-15"))),
            (
                erin,
                .client(
                    .instructionsGiven(
                        InstructionsGiven(
                            at: SMPHistory.date("2024-03-16", 9), kind: .preCare, instructionSetID: set,
                            instructionSetVersion: 1, appointmentID: s2, channel: .sms)))
            ),
            (erin, .client(performed(s3, 3, "2024-03-29"))),
            (erin, .client(aftercare(s3, "2024-03-31", 9))),
            (
                erin,
                .client(
                    .touchUpPerformed(
                        TouchUpPerformed(
                            at: SMPHistory.date("2024-06-01", 10), appointmentID: touch, locationID: SMPHistory.london,
                            technicianID: SMPHistory.tech1, treatment: SMPHistory.treatment(SMPHistory.batch200))))
            ),
            (erin, .client(aftercare(touch, "2024-06-02", 9))),
            (finn, .client(.forgotten(ClientForgotten(at: SMPHistory.date("2024-07-01"), reason: "Erasure request")))),
        ]
    }

    static func line(_ f: AftercareFollowUp) -> String {
        "\(f.performedAt.formatted(.iso8601)) \(f.kind) \(f.sessionNumber.map(String.init) ?? "-") \(f.status) "
            + "\(f.technician) \(f.clientName ?? "-")"
    }

    @Test("lists treatments whose aftercare was missing or more than a day late, as of any time")
    func followUps() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(Self.events, to: database.store)
            try await ProjectionRunner(
                store: database.store, projections: [TimelineProjection(), AftercareProjection()], batchSize: 4
            ).catchUp()
            let queries = AftercareQueries(pool: database.pool)
            // Today: session 2 is missing, session 3 was late; session 1 and the touch-up were in time; Finn is
            // forgotten.
            let now = try await queries.followUps(asOf: SMPHistory.date("2024-12-01"))
            #expect(
                now.map(Self.line) == [
                    "2024-03-15T10:00:00Z session 2 missing T-02 Erin East",
                    "2024-03-29T10:00:00Z session 3 late T-01 Erin East",
                ])
            #expect(now[1].givenAt == SMPHistory.date("2024-03-31", 9))
            // On 30 March 10:00 (a day after session 3) its aftercare was not given yet: missing then. Finn was not
            // forgotten yet, but the list is read from today's rows, which know he was.
            let then = try await queries.followUps(asOf: SMPHistory.date("2024-03-30", 10, 1))
            #expect(then.map(\.status) == ["missing", "missing"])
            // Exactly a day after session 3 it is not due yet.
            let edge = try await queries.followUps(asOf: SMPHistory.date("2024-03-30", 10))
            #expect(edge.map(\.sessionNumber) == [2])
            #expect(try await queries.followUps(asOf: SMPHistory.date("2024-12-01"), technician: "T-01").count == 1)
            #expect(
                try await queries.followUps(asOf: SMPHistory.date("2024-12-01"), from: SMPHistory.date("2024-03-20"))
                    .map(\.sessionNumber) == [3])
            let rows = try await SMPHistory.rows(
                database,
                """
                SELECT kind, (given_at IS NOT NULL)::text, (acknowledged_at IS NOT NULL)::text, client_forgotten::text
                FROM aftercare.aftercare_treatments ORDER BY performed_at
                """
            )
            #expect(
                rows == [
                    "session|true|true|false", "session|false|false|true", "session|false|false|false",
                    "session|true|false|false", "touch-up|true|false|false",
                ])
        }
    }
}
