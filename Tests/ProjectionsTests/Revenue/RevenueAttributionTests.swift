import Clinic
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// Four clients whose figures are computed by hand below. Client A is `ClinicHistoryFixture.courseClient` (no
/// preferred location, everything at soho with ana, session 3 booked for 2026-03-20 and never closed).
/// - B (prefers soho): consultation at uptown with ben (held 01-08), plan, USD 400 refundable deposit, session 1 at
///   soho/ana cancelled by the client 14 h before (late), the deposit refunded 02-02, session 2 missed 02-10.
/// - C (prefers uptown, no appointment): plan 01-09, USD 200 non-refundable deposit, forfeited 02-10.
/// - D (prefers soho): consultation 02-22, a one-session USD 2,000 package performed 03-01 at soho/ana, a touch-up
///   booked 07-01 (122 days later) and performed 07-15 for USD 600.
@Suite("Revenue: money where the till is, rates within the period")
struct RevenueAttributionTests {
    typealias F = ClinicHistoryFixture
    static let uptown = LocationID("uptown")!
    static let ben = TechnicianID("ben")!

    static func registration(_ day: String, prefers location: LocationID?) -> ClientEvent {
        .registered(
            ClientRegistered(
                at: F.day(day),
                personal: PersonalDetails(
                    fullName: "Test Client", contact: ContactDetails(email: "t@example.com"),
                    dateOfBirth: CalendarDay(year: 1980, month: 1, day: 1)!),
                preferredLocationID: location))
    }

    static func held(_ id: UUID, _ day: String) -> ClientEvent {
        .consultationHeld(
            ConsultationHeld(
                at: F.day(day), appointmentID: id,
                assessment: ScalpAssessment(
                    hairLoss: .norwood(4), pattern: "receding", skinTone: .iii, naturalHairColour: "black"),
                design: HairlineDesign(shape: .mature, edgeSoftness: .soft, heightCentimetres: 7, symmetry: .symmetric),
                chosenShade: "Deep Black", targetDensity: 0.8, treatedAreaSquareCentimetres: 300, sessionsPlanned: 2,
                quotedPrice: F.usd(2000), statedGoals: "Buzz cut"))
    }

    static func slot(_ day: String) -> TimeSlot { TimeSlot(start: F.day(day), end: F.day(day, 13)) }

    static func seed(_ store: EventStore) async throws {
        try await seedABC(store)
        try await seedD(store)
    }

    /// Clients A, B and C.
    static func seedABC(_ store: EventStore) async throws {
        let fixture = F(store: store)
        try await fixture.courseClient(UUID())
        let (consultationB, sessionB1, sessionB2, depositB) = (UUID(), UUID(), UUID(), UUID())
        try await fixture.append(
            UUID(),
            [
                registration("2026-01-05", prefers: F.soho),
                .consultationBooked(
                    ConsultationBooked(
                        at: F.day("2026-01-06"), appointmentID: consultationB, slot: slot("2026-01-08"),
                        locationID: uptown, technicianID: ben)),
                held(consultationB, "2026-01-08"),
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: F.day("2026-01-08", 11), sessionsPlanned: 2,
                        pricing: PlanPricing(model: .perSession, price: F.usd(1000)), depositDue: F.usd(400))),
                .depositTaken(
                    DepositTaken(
                        at: F.day("2026-01-08", 11), depositID: depositB, amount: F.usd(400), refundable: true,
                        method: .card)),
                .sessionBooked(
                    SessionBooked(
                        at: F.day("2026-01-08", 11), appointmentID: sessionB1, sessionNumber: 1,
                        slot: slot("2026-02-01"), locationID: F.soho, technicianID: F.ana)),
                .sessionCancelled(
                    SessionCancelled(
                        at: F.day("2026-01-31", 20), appointmentID: sessionB1, cancelledBy: .client,
                        reason: "Flu")),
                .refundIssued(
                    RefundIssued(
                        at: F.day("2026-02-02"), refundID: UUID(), amount: F.usd(400), method: .card,
                        reason: "Deposit back", depositID: depositB)),
                .sessionBooked(
                    SessionBooked(
                        at: F.day("2026-02-02"), appointmentID: sessionB2, sessionNumber: 1,
                        slot: slot("2026-02-10"), locationID: F.soho, technicianID: F.ana)),
                .sessionNoShow(SessionNoShow(at: F.day("2026-02-10", 12), appointmentID: sessionB2)),
            ])
        let depositC = UUID()
        try await fixture.append(
            UUID(),
            [
                registration("2026-01-09", prefers: uptown),
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: F.day("2026-01-09"), sessionsPlanned: 3,
                        pricing: PlanPricing(model: .package, price: F.usd(2400)), depositDue: F.usd(200))),
                .depositTaken(
                    DepositTaken(
                        at: F.day("2026-01-09"), depositID: depositC, amount: F.usd(200), refundable: false,
                        method: .cash)),
                .depositForfeited(DepositForfeited(at: F.day("2026-02-10"), depositID: depositC, reason: "No reply")),
            ])
    }

    /// Client D alone (the last to be recorded).
    static func seedD(_ store: EventStore, id: UUID = UUID()) async throws {
        let fixture = F(store: store)
        let (consultationD, sessionD, touchUpD) = (UUID(), UUID(), UUID())
        try await fixture.append(
            id,
            [
                registration("2026-02-20", prefers: F.soho),
                .consultationBooked(
                    ConsultationBooked(
                        at: F.day("2026-02-20"), appointmentID: consultationD, slot: slot("2026-02-22"),
                        locationID: F.soho, technicianID: F.ana)),
                held(consultationD, "2026-02-22"),
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: F.day("2026-02-22", 11), sessionsPlanned: 1,
                        pricing: PlanPricing(model: .package, price: F.usd(2000)), depositDue: F.usd(0))),
                .sessionBooked(
                    SessionBooked(
                        at: F.day("2026-02-22", 11), appointmentID: sessionD, sessionNumber: 1,
                        slot: slot("2026-03-01"), locationID: F.soho, technicianID: F.ana)),
                .sessionPerformed(
                    SessionPerformed(
                        at: F.day("2026-03-01", 13), appointmentID: sessionD, sessionNumber: 1, locationID: F.soho,
                        technicianID: F.ana, treatment: F.treatment())),
                .touchUpBooked(
                    TouchUpBooked(
                        at: F.day("2026-07-01"), appointmentID: touchUpD, slot: slot("2026-07-15"),
                        locationID: F.soho, technicianID: F.ana, quotedPrice: F.usd(600))),
                .touchUpPerformed(
                    TouchUpPerformed(
                        at: F.day("2026-07-15", 13), appointmentID: touchUpD, locationID: F.soho,
                        technicianID: F.ana, treatment: F.treatment())),
            ])
    }

    @Test(
        "a booked correction is earned at its quote when performed, where it was done; cancelled or partner ones earn nothing"
    )
    func correctionsEarnTheirQuote() async throws {
        try await TestDatabase.with { database in
            let fixture = F(store: database.store)
            let (performed, cancelled) = (UUID(), UUID())
            func booked(_ id: UUID, _ day: String, price: Int64) -> ClientEvent {
                .correctionBooked(
                    CorrectionBooked(
                        at: F.day("2026-03-20"), appointmentID: id, method: .salineRemoval, sessionNumber: 1,
                        slot: Self.slot(day), locationID: Self.uptown, technicianID: Self.ben,
                        quotedPrice: F.usd(price),
                        cause: CorrectionCause(kind: .clientRequest)))
            }
            try await fixture.append(
                UUID(),
                [
                    Self.registration("2026-03-01", prefers: F.soho),
                    booked(performed, "2026-04-10", price: 450),
                    booked(cancelled, "2026-05-10", price: 300),
                    .correctionPerformed(
                        CorrectionPerformed(
                            at: F.day("2026-04-10"), method: .salineRemoval, sessionNumber: 1, areas: [.temples],
                            provider: "Stipple Uptown", technicianID: Self.ben, appointmentID: performed,
                            locationID: Self.uptown)),
                    .sessionCancelled(
                        SessionCancelled(at: F.day("2026-05-01"), appointmentID: cancelled, cancelledBy: .client)),
                    .correctionPerformed(
                        CorrectionPerformed(
                            at: F.day("2026-06-01"), method: .laserRemoval, sessionNumber: 2, areas: [.temples],
                            provider: "Partner laser clinic")),
                ])
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let byService = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .service, pool: database.pool)
            let correction = try #require(byService.lines.first { $0.group == "correction" })
            #expect(correction.earnedMinor == 45_000)  // the saline session's quote; not the cancelled 300
            #expect(correction.services == 1)  // the partner's laser session is not the clinic's service
            #expect(correction.cashReceivedMinor == 0)
            let byLocation = try await RevenueQueries.report(
                from: "2026-04-10", to: "2026-04-10", by: .location, pool: database.pool)
            #expect(byLocation.lines.map(\.group) == ["uptown"])
            #expect(byLocation.lines.first?.earnedMinor == 45_000)
        }
    }

    @Test("deposits, forfeits and refunds land at the location and technician where the client was")
    func moneyByLocation() async throws {
        try await TestDatabase.with { database in
            try await Self.seed(database.store)
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let report = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .location, pool: database.pool)
            let uptown = try #require(report.lines.first { $0.group == "uptown" })
            #expect(uptown.cashReceivedMinor == 60_000)  // B's deposit 400 (after the consultation there) + C's 200
            #expect(uptown.depositsTakenMinor == 60_000)
            #expect(uptown.refundsMinor == 40_000)  // B's deposit goes back from the till that took it
            #expect(uptown.depositsForfeitedMinor == 20_000)  // C: no appointment, so the preferred location
            #expect(uptown.earnedMinor == 20_000)
            let soho = try #require(report.lines.first { $0.group == "soho" })
            #expect(soho.cashReceivedMinor == 100_000)  // A's payment
            #expect(soho.earnedMinor == 440_000)  // A 2 × 900 + D 2,000 + D's touch-up 600
            #expect(soho.refundsMinor == 10_000)  // A's goodwill refund after session 2 there
            #expect(soho.depositsAppliedMinor == 30_000)  // A's deposit applied at session 1
            let none = try #require(report.lines.first { $0.group == "(none)" })
            #expect(none.cashReceivedMinor == 30_000)  // A's deposit: no appointment yet, no preferred location
            #expect(report.lines.map(\.group) == ["(none)", "soho", "uptown"])
            let byTechnician = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .technician, pool: database.pool)
            #expect(byTechnician.lines.first { $0.group == "ben" }?.refundsMinor == 40_000)
            #expect(byTechnician.lines.first { $0.group == "ana" }?.refundsMinor == 10_000)
        }
    }

    @Test("completion, touch-up return, 90-day rebooking, no-shows and late cancellations count within the period")
    func ratesWithinThePeriod() async throws {
        try await TestDatabase.with { database in
            try await Self.seed(database.store)
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let winter = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-02-28", by: .month, pool: database.pool)
            let all = winter.total
            #expect(winter.rates.map(\.group) == ["all"])
            #expect(all.coursesStarted == 4)  // A 01-10, B 01-08, C 01-09, D 02-22
            #expect(all.coursesCompleted == 0)  // D completes on 03-01, after the period
            #expect(winter.courseCompletionRate == 0)
            #expect(all.treatments == 2 && all.rebookedWithin90Days == 2)  // A's sessions, each rebooked the same day
            // B's consultation, A's two sessions, B's late cancellation and no-show, D's consultation.
            #expect(all.appointmentsDue == 6)
            #expect(all.noShows == 1 && all.lateCancellations == 1)

            let rest = try await RevenueQueries.report(
                from: "2026-03-01", to: "2026-12-31", by: .month, pool: database.pool)
            #expect(rest.total.coursesStarted == 0 && rest.courseCompletionRate == nil)
            #expect(rest.total.coursesFinished == 1 && rest.touchUpReturnRate == 1)  // D, back on 07-15
            #expect(rest.total.treatments == 2 && rest.total.rebookedWithin90Days == 0)  // D rebooked after 122 days
            #expect(rest.total.appointmentsDue == 2 && rest.total.noShows == 0)  // A's session 3 never came due

            let year = try await RevenueQueries.report(
                from: "2026-01-01", to: "2026-12-31", by: .location, pool: database.pool)
            #expect(year.rates.map(\.group) == ["(none)", "soho", "uptown"])
            let soho = try #require(year.rates.first { $0.group == "soho" })
            #expect(soho.coursesStarted == 1 && soho.coursesCompleted == 1)  // D's consultation was at soho
            #expect(soho.treatments == 4 && soho.rebookedWithin90Days == 2)
            #expect(soho.appointmentsDue == 7 && soho.noShows == 1 && soho.lateCancellations == 1)
            let uptown = try #require(year.rates.first { $0.group == "uptown" })
            #expect(uptown.coursesStarted == 2 && uptown.coursesCompleted == 0)  // B and C
            #expect(uptown.appointmentsDue == 1)
            #expect(year.rates.first { $0.group == "(none)" }?.coursesStarted == 1)  // A
        }
    }
    /// A time counts in the period when its UTC day does: the first instant of `from` and the last of `to` are in,
    /// the instants either side are out, whatever zone the time was written in.
    @Test("rates count a course by the UTC day of its times, the period's first and last instants included")
    func periodEdgesAreUTCDays() async throws {
        try await TestDatabase.with { database in
            let schema = "revenue_edges"
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE SCHEMA \(identifier: schema)")
                try await RevenueProjection().createTables(in: schema, on: connection)
                // (agreed, completed, first touch-up) for five clients.
                let rows: [(String, String?, String?)] = [
                    ("2026-01-31 23:59:59.999999+00", nil, nil),  // out: the day before `from`
                    ("2026-02-01 00:00:00+00", "2026-02-28 23:59:59.999999+00", "2026-03-01 00:00:00+00"),
                    ("2026-02-28 23:59:59.999999+00", "2026-03-01 00:00:00+00", nil),
                    ("2026-02-28 20:00:00-05", nil, nil),  // 03-01 01:00 UTC: out
                    ("2026-02-01 01:00:00+02", "2026-02-10 12:00:00+00", "2026-02-28 23:00:00+00"),  // 01-31 23:00 UTC
                ]
                for (agreed, completed, touchUp) in rows {
                    try await connection.execute(
                        """
                        INSERT INTO \(identifier: schema).revenue_clients
                            (client_id, charged_minor, paid_minor, refunded_minor, outstanding_minor,
                             deposits_held_minor, course_started, touch_ups, erased, course_agreed_at,
                             course_completed_at, first_touch_up_at)
                        VALUES (gen_random_uuid(), 0, 0, 0, 0, 0, true, 0, false, \(agreed)::timestamptz,
                                \(completed)::timestamptz, \(touchUp)::timestamptz)
                        """)
                }
            }
            let report = try await RevenueQueries.report(
                from: "2026-02-01", to: "2026-02-28", by: .month, schema: schema, pool: database.pool)
            #expect(report.total.coursesStarted == 2)  // agreed 02-01 00:00 and 02-28 23:59:59.999999 UTC
            #expect(report.total.coursesCompleted == 1)  // of those, completed by 02-28's last instant
            #expect(report.total.coursesFinished == 2)  // completed 02-28 23:59:59.999999 and 02-10
            #expect(report.total.touchUpReturns == 1)  // 02-28 23:00 in; 03-01 00:00 out
        }
    }
}
